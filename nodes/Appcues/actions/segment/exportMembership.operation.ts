import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import {
	EXPORT_FORMATS,
	exportEmailField,
	exportFormatField,
	segmentLocator,
} from '../../helpers/descriptions';
import { checkedChoice, optionalText, requiredId } from '../../helpers/input';
import { finishJob, readWaitSettings, waitFields } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['segment'], operation: ['exportMembership'] } },
	[
		segmentLocator,
		{
			displayName: 'Additional Fields',
			name: 'exportFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				exportEmailField,
				exportFormatField,
				{
					displayName: 'Property Names',
					name: 'propertyNames',
					type: 'string',
					default: '',
					placeholder: 'e.g. email, plan',
					description: 'User properties to include for each member, separated by commas',
				},
			],
		},
		...waitFields,
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const segmentId = requiredId.call(this, 'segmentId', 'Segment', itemIndex);
	const fields = this.getNodeParameter('exportFields', itemIndex, {}) as IDataObject;
	const text = (name: string, label: string) =>
		optionalText.call(this, fields[name], `Additional Fields: ${label}`, itemIndex);
	const request: IDataObject = {};
	const propertyNames = text('propertyNames', 'Property Names')
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	if (propertyNames.length) request.property_names = propertyNames;
	if (fields.format !== undefined)
		request.format = checkedChoice.call(
			this,
			fields.format,
			'Additional Fields: Format',
			itemIndex,
			EXPORT_FORMATS,
		);
	const email = text('email', 'Email');
	if (email) request.email = email;
	return { segmentId, request, wait: readWaitSettings.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ segmentId, request, wait }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const accepted = await client.request({
		method: 'POST',
		path: path`/segments/${segmentId}/segment_membership_export`,
		body: request,
		itemIndex,
	});
	const job = await finishJob.call(this, client, accepted, itemIndex, wait);
	return { segment_id: segmentId, ...job };
}
