/**
 * The bulk import routes (nodes/Appcues/actions/import): NDJSON, CSV or a multipart file.
 */
import { type BulkFormat, type ImportKind, parseImport } from '../bulk';
import { type MultipartPart, parseMediaType } from '../multipart';
import { badRequest, HttpProblem } from '../problem';
import type { AccountState } from '../state';
import { ensureUser, filePart, type Route, type RouteModule } from './route';

export const importRoutes: RouteModule = (fake) => {
	/**
	 * CSV or NDJSON, from the file part's content type, else its file name's extension. The
	 * sources do not name the types (SOURCES.md); the fake also takes the usual aliases for a file part.
	 */
	const fileFormat = (file: MultipartPart): BulkFormat => {
		const type = parseMediaType(file.contentType).type;
		if (['text/csv', 'application/csv'].includes(type)) return 'csv';
		if (
			[
				'application/x-ndjson',
				'application/ndjson',
				'application/jsonl',
				'application/x-jsonlines',
				'application/jsonlines',
			].includes(type)
		) {
			return 'ndjson';
		}
		const name = (file.filename ?? '').toLowerCase();
		if (name.endsWith('.csv')) return 'csv';
		if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
		throw new HttpProblem(
			415,
			'Unsupported Media Type',
			`cannot tell whether the file is CSV or NDJSON (content type ${file.contentType ?? 'none'}, file name ${
				file.filename ?? 'none'
			}): send text/csv or application/x-ndjson, or name it .csv, .ndjson or .jsonl`,
		);
	};
	const applyImport = (
		state: AccountState,
		kind: ImportKind,
		rows: Array<Record<string, unknown>>,
	) => {
		for (const row of rows) {
			if (kind === 'profiles') {
				const { user_id, ...properties } = row;
				Object.assign(ensureUser(state, String(user_id)).properties, properties);
			} else if (kind === 'groups') {
				const { group_id, ...properties } = row;
				const group = state.groups.get(String(group_id)) ?? {
					properties: {},
					users: new Set<string>(),
				};
				Object.assign(group.properties, properties);
				state.groups.set(String(group_id), group);
			} else {
				const { user_id, ...event } = row;
				ensureUser(state, String(user_id)).events.push(event);
				if (typeof event.group_id === 'string') {
					const group = state.groups.get(event.group_id) ?? {
						properties: {},
						users: new Set<string>(),
					};
					group.users.add(String(user_id));
					state.groups.set(event.group_id, group);
				}
			}
		}
	};

	return [
		...(['profiles', 'groups', 'events'] as const).map((kind): Route => ({
			method: 'POST',
			pattern: ['import', kind],
			accepts: ['ndjson', 'csv', 'multipart'],
			handle: ({ state, rawBody, mediaType, parts, baseUrl, status }) => {
				let format: BulkFormat;
				let data: Buffer;
				let fileName: string | undefined;
				if (mediaType === 'multipart/form-data') {
					const file = filePart(parts);
					format = fileFormat(file);
					data = file.data;
					fileName = file.filename;
				} else {
					if (!rawBody.length) throw badRequest('the request body is empty');
					format = mediaType === 'text/csv' ? 'csv' : 'ndjson';
					data = rawBody;
				}
				const rows = parseImport(kind, format, data.toString('utf8'));
				const { response, applies } = fake.startJob(state, baseUrl, `import ${kind}`);
				if (applies) applyImport(state, kind, rows);
				state.imports.push({
					kind,
					format,
					via: mediaType === 'multipart/form-data' ? 'multipart' : 'body',
					...(fileName !== undefined ? { fileName } : {}),
					rows: rows.length,
					bytes: data.length,
					jobId: response.job_id,
					applied: applies,
					records: fake.recordBodies ? rows : [],
				});
				status(202);
				return response;
			},
		})),
	];
};
