import type { INodeType, INodeTypes } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

/** The node types a test workflow may use, looked up as n8n's own registry does. */
export class NodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType>) {}
	getByName(name: string) {
		return this.types[name];
	}
	getByNameAndVersion(name: string, version?: number) {
		return NodeHelpers.getVersionedNodeType(this.types[name], version);
	}
	getKnownTypes() {
		return {};
	}
}
