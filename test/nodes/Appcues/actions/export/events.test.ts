import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';

describe('export events', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	useVirtualPollWaits();

	it('sends format, conditions, times, time zone and email', async () => {
		const result = await t.run({
			resource: 'export',
			operation: 'events',
			startTime: '2026-04-19T00:00:00',
			endTime: '2026-04-19T06:00:00',
			format: 'csv',
			conditions: '[["name","like","appcues%"]]',
			timeZone: '00:00',
			email: 'ops@example.com',
			waitForCompletion: true,
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'POST',
			rawPath: '/v2/accounts/12345/export/events',
			body: {
				format: 'csv',
				start_time: '2026-04-19T00:00:00',
				end_time: '2026-04-19T06:00:00',
				conditions: [['name', 'like', 'appcues%']],
				time_zone: '00:00',
				email: 'ops@example.com',
			},
		});
		expect(result.items[0].json.status).toBe('complete');
	});

	it('refuses bad dates and conditions before sending', async () => {
		const badDate = await t.run({
			resource: 'export',
			operation: 'events',
			startTime: 'last week',
			endTime: '2026-01-02',
		});
		expect(badDate.error?.message).toBe('Start Time is not a valid date [item 0]');
		const badConditions = await t.run({
			resource: 'export',
			operation: 'events',
			startTime: '2026-01-01',
			endTime: '2026-01-02',
			conditions: '{"name":1}',
		});
		expect(badConditions.error?.message).toBe('Conditions (JSON) must be a JSON array [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	describe('the range is wall-clock time in the Time Zone, as Appcues reads it', () => {
		const run = (parameters: IDataObject) =>
			t.run({ resource: 'export', operation: 'events', ...parameters });
		const sent = () => t.fake.apiRequests()[0]?.body as IDataObject;

		it.each([
			[
				{ startTime: '2026-02-30T00:00:00', endTime: '2026-03-02T00:00:00' },
				'Start Time is not a real date and time [item 0]',
			],
			[
				{ startTime: '2026-02-01', endTime: '2026-02-29' },
				'End Time is not a real date and time [item 0]',
			],
			[
				{ startTime: '2026-01-02', endTime: '2026-01-01T23:00:00' },
				'End Time must be after Start Time [item 0]',
			],
			[
				{ startTime: '2026-01-01', endTime: '2026-01-02', timeZone: 'Mars/Olympus' },
				'Time Zone "Mars/Olympus" is not a UTC offset or a time zone name [item 0]',
			],
			[
				{ startTime: '2026-01-01', endTime: '2026-01-02', timeZone: '25:00' },
				'Time Zone "25:00" is not a UTC offset or a time zone name [item 0]',
			],
		])('%j is refused before any request', async (parameters, message) => {
			const result = await run(parameters);
			expect(result.error?.message).toBe(message);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('times without a zone are sent as given: Appcues reads them in the Time Zone', async () => {
			const result = await run({
				startTime: '2026-04-19',
				endTime: '2026-04-19T06:00:00',
				timeZone: '-05:00',
			});
			expect(result.error).toBeUndefined();
			expect(sent()).toMatchObject({
				start_time: '2026-04-19',
				end_time: '2026-04-19T06:00:00',
				time_zone: '-05:00',
			});
		});

		it('an instant (a zone, Unix time, a date from an expression) is written in the Time Zone', async () => {
			const result = await run({
				startTime: '2026-04-19T05:00:00Z',
				endTime: '={{ DateTime.fromISO("2026-04-19T13:30:00+02:00") }}',
				timeZone: '-05:00',
			});
			expect(result.error).toBeUndefined();
			expect(sent()).toMatchObject({
				start_time: '2026-04-19T00:00:00',
				end_time: '2026-04-19T06:30:00',
				time_zone: '-05:00',
			});
		});

		it('with a time zone name, daylight saving time is applied to each instant', async () => {
			const result = await run({
				startTime: '2026-01-15T12:00:00Z',
				endTime: '={{ 1784116800 }}',
				timeZone: 'America/New_York',
			});
			expect(result.error).toBeUndefined();
			// 2026-07-15T12:00:00Z is 08:00 in New York in summer (UTC-4), January's 12:00Z is 07:00 (UTC-5).
			expect(sent()).toMatchObject({
				start_time: '2026-01-15T07:00:00',
				end_time: '2026-07-15T08:00:00',
				time_zone: 'America/New_York',
			});
		});

		it('without a Time Zone, an instant is written in UTC and time_zone 00:00 is sent with it', async () => {
			const result = await run({
				startTime: '2026-04-19T02:00:00+02:00',
				endTime: '2026-04-19T06:00:00Z',
				timeZone: '',
			});
			expect(result.error).toBeUndefined();
			expect(sent()).toMatchObject({
				start_time: '2026-04-19T00:00:00',
				end_time: '2026-04-19T06:00:00',
				time_zone: '00:00',
			});
		});
	});
	it('a failed check on the job just created says Appcues accepted it, with its job ID', async () => {
		t.fake.addFault({ kind: 'status', status: 404, method: 'GET', pathIncludes: 'jobs/' });
		const result = await t.run(
			{
				resource: 'export',
				operation: 'events',
				startTime: '2026-01-01T00:00:00',
				endTime: '2026-01-02T00:00:00',
				waitForCompletion: true,
			},
			{ continueOnFail: true },
		);
		expect(t.fake.apiRequests({ method: 'POST' })).toHaveLength(1);
		const jobId = t.fake.state().exports[0].jobId;
		expect(result.items[0].json.description).toBe(
			`Request: GET /v2/accounts/12345/jobs/${jobId} Appcues had accepted the request as job ` +
				`${jobId}, which may still run: look it up with Job > Get and the job ID ${jobId} ` +
				'before sending it again.',
		);
	});
});
