import { describe, expect, it } from 'vitest';

import { buildFilter, passesFilter } from '../../../nodes/AppcuesTrigger/filters';

describe('filters', () => {
	const started = { name: 'appcues:flow_started', attributes: { flowId: 'f1' } };
	const completed = { name: 'flow_completed', flow_id: 'f2' };

	it('lets everything through when empty', () => {
		const filter = buildFilter([], '', '');
		expect(passesFilter(started, filter)).toBe(true);
		expect(passesFilter({}, filter)).toBe(true);
	});

	it('matches event names with or without the appcues: prefix, ignoring case', () => {
		const filter = buildFilter(['appcues:flow_completed'], '', '');
		expect(passesFilter(completed, filter)).toBe(true);
		expect(passesFilter(started, filter)).toBe(false);
		expect(passesFilter({ name: 'APPCUES:FLOW_COMPLETED' }, filter)).toBe(true);
		expect(passesFilter({}, filter)).toBe(false);
	});

	it('accepts custom names', () => {
		const filter = buildFilter([], 'appcues:nps_feedback, custom_thing', '');
		expect(passesFilter({ event: 'custom_thing' }, filter)).toBe(true);
		expect(passesFilter({ event_name: 'appcues:nps_feedback' }, filter)).toBe(true);
		expect(passesFilter(started, filter)).toBe(false);
	});

	it('filters on flow or experience ids', () => {
		const filter = buildFilter([], '', 'f1,\n f9');
		expect(passesFilter(started, filter)).toBe(true);
		expect(passesFilter(completed, filter)).toBe(false);
		expect(passesFilter({ name: 'x' }, filter)).toBe(false);
	});

	it('needs both the name and the id to match when both are set', () => {
		const filter = buildFilter(['appcues:flow_started'], '', 'f2');
		expect(passesFilter(started, filter)).toBe(false);
		expect(passesFilter({ ...started, flowId: 'f2' }, filter)).toBe(true);
	});
});
