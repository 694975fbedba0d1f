import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/**
 * Downloads a presigned result URL. It is deliberately sent without credentials: the URL
 * carries its own signature, and the storage host rejects (and must never see) an
 * Authorization header.
 */
export async function downloadPresigned(
	this: IExecuteFunctions,
	url: string,
	itemIndex: number,
): Promise<{ data: Buffer; contentType?: string }> {
	const response = (await this.helpers.httpRequest({
		method: 'GET',
		url,
		encoding: 'arraybuffer',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: false,
	})) as { body: ArrayBuffer | Buffer; statusCode: number; headers: Record<string, string> };
	const data = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body);
	if (response.statusCode < 200 || response.statusCode >= 300) {
		throw new NodeApiError(
			this.getNode(),
			{ httpCode: String(response.statusCode), body: data.toString('utf8').slice(0, 200) },
			{
				message: `Downloading the export failed with status ${response.statusCode}`,
				description: `The download link is valid for one hour; run the export again to get a new one. Host: ${new URL(url).host}.`,
				httpCode: String(response.statusCode),
				itemIndex,
			},
		);
	}
	return { data, contentType: response.headers['content-type'] };
}
