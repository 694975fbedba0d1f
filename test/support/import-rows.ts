/** Helpers of the import row tests (rows.test.ts and fromItems.test.ts). */
import type { INodeExecutionData } from 'n8n-workflow';

import { rowProblem, rowText, type RowSettings } from '../../nodes/Appcues/actions/import/rows';

/** The row as the bulk path writes it, or why it cannot be imported. */
export function rowLine(
	json: INodeExecutionData['json'],
	settings: RowSettings,
): { line: string } | { problem: string } {
	const problem = rowProblem(json, settings);
	if (problem) return { problem };
	return { line: rowText(json, settings) };
}

export const profiles: RowSettings = {
	kind: 'profiles',
	idField: 'user_id',
	propertiesToSend: 'allOther',
	propertyFields: [],
	eventNameField: 'name',
	timestampField: 'timestamp',
};
