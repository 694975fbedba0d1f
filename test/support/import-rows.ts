/** Helpers of the import row tests (rows.test.ts and fromItems.test.ts). */
import type { INodeExecutionData } from 'n8n-workflow';

import { emitRow, rowProblem, type RowSettings } from '../../nodes/Appcues/actions/import/rows';

/** The whole row as one string, as the bulk path writes it piece by piece. */
export function rowLine(
	json: INodeExecutionData['json'],
	settings: RowSettings,
): { line: string } | { problem: string } {
	const problem = rowProblem(json, settings);
	if (problem) return { problem };
	let line = '';
	emitRow(json, settings, (text) => (line += text));
	return { line };
}

export const profiles: RowSettings = {
	kind: 'profiles',
	idField: 'user_id',
	propertiesToSend: 'allOther',
	propertyFields: [],
	eventNameField: 'name',
	timestampField: 'timestamp',
};
