/**
 * What the node panel should show for a resource and operation, decided by n8n-workflow's own
 * display rules (the editor uses the same NodeHelpers) from the node's description, whose names
 * the README uses.
 */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { Appcues } from '../../../nodes/Appcues/Appcues.node';

export const description: INodeTypeDescription = new Appcues().description;

interface Choice {
	name: string;
	value: string;
	action?: string;
}

export function resourceChoices(): Choice[] {
	return description.properties.find((p) => p.name === 'resource')!.options as Choice[];
}

export function operationChoices(resource: string): Choice[] {
	const field = description.properties.find(
		(p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(resource),
	) as INodeProperties;
	return field.options as Choice[];
}

/**
 * Labels of the top-level fields shown for `resource`/`operation` with default values (no notices).
 * A resource mapper has no label of its own: n8n shows its fields once it could load them, so with
 * default values (nothing chosen that it depends on) it shows nothing.
 */
export function expectedFields(resource: string, operation: string): string[] {
	const node = { typeVersion: 1 };
	const values =
		NodeHelpers.getNodeParameters(
			description.properties,
			{ resource, operation },
			true,
			false,
			node,
			description,
		) ?? {};
	return description.properties
		.filter(
			(p) =>
				p.type !== 'notice' &&
				p.type !== 'resourceMapper' &&
				NodeHelpers.displayParameter(values, p, node, description),
		)
		.map((p) => p.displayName);
}
