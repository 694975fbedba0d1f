/**
 * The legacy events export route (nodes/Appcues/actions/export).
 */
import { isIanaZone, validateConditions } from '../analytics';
import { parseImportTimestamp } from '../bulk';
import { badRequest } from '../problem';
import { checkEmail, objectBody, type RouteModule } from './route';

export const exportRoutes: RouteModule = (fake) => {
	return [
		{
			method: 'POST',
			pattern: ['export', 'events'],
			// SOURCES.md: Third-party clients (the Singer tap's curl example): start_time and end_time
			// required (ISO 8601, a zone optional as in the tap's "2023-04-19T00:00:00"); format csv or json;
			// conditions [field, op, value] triples; time_zone an offset ("00:00", "+02:00") or an
			// IANA name; email; limit and offset. Unknown fields are refused.
			handle: ({ state, body, baseUrl, status }) => {
				const request = objectBody(body, 'body');
				const allowed = [
					'format',
					'conditions',
					'start_time',
					'end_time',
					'time_zone',
					'email',
					'limit',
					'offset',
				];
				for (const key of Object.keys(request))
					if (!allowed.includes(key)) throw badRequest(`unknown field ${key}`);
				const times: number[] = [];
				for (const field of ['start_time', 'end_time']) {
					const value = request[field];
					if (value === undefined || value === '') throw badRequest(`${field} is required`);
					const ms =
						typeof value === 'string' && !/^\d+$/.test(value)
							? parseImportTimestamp(value)
							: undefined;
					if (ms === undefined) throw badRequest(`${field} must be an ISO 8601 date-time`);
					times.push(ms);
				}
				if (times[1] <= times[0]) throw badRequest('end_time must be after start_time');
				if (request.format !== undefined && !['csv', 'json'].includes(request.format as string)) {
					throw badRequest('format must be "csv" or "json"');
				}
				if (request.conditions !== undefined) validateConditions(request.conditions, 'conditions');
				const zone = request.time_zone;
				if (
					zone !== undefined &&
					!(typeof zone === 'string' && (/^[+-]?\d{2}:\d{2}$/.test(zone) || isIanaZone(zone)))
				) {
					throw badRequest(
						'time_zone must be an offset such as "00:00" or "+02:00", or an IANA time zone name',
					);
				}
				checkEmail(request.email);
				for (const field of ['limit', 'offset']) {
					const value = request[field];
					if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
						throw badRequest(`${field} must be a non-negative integer`);
					}
				}
				const { response } = fake.startJob(state, baseUrl, 'export events');
				state.exports.push({ kind: 'events', request, jobId: response.job_id });
				status(202);
				return response;
			},
		},
	];
};
