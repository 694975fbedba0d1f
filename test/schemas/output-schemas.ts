/**
 * Output schemas of the Appcues node: n8n's editor asks for
 * `/schemas/<node type>/1.0.0/<resource>/<operation>.json` to preview a node's output fields
 * before it ran, and n8n serves them from `__schema__/v1.0.0/` beside the node's file. They are
 * inferred here from what each operation really outputs against the fake Appcues with the demo
 * data, so they follow the code: `npm run schemas` writes them, a test checks they are current.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { DEFAULT_ACCOUNT, FakeAppcues } from '../fake-appcues/server';
import { seedDemoData } from '../fake-appcues/seed';
import { runAppcuesNode } from '../support/run-node';
import { repoRoot } from '../e2e/lib/n8n';

export const SCHEMA_DIR = `${repoRoot()}/nodes/Appcues/__schema__/v1.0.0`;

const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const analyticsSpec = JSON.stringify({
	metrics: ['users', 'events'],
	dimensions: ['name'],
	start_time: '2026-10-01',
	end_time: '2026-10-31',
});

interface Sample {
	parameters: INodeParameters;
	items?: IDataObject[];
	/** Adds to the demo data what the operation needs (data relative to now, an export job). */
	setup?: (fake: FakeAppcues) => void;
}

const DAY = 86_400_000;

/** Flow events of published flows-1 in both periods of a 7-day digest, so every figure is a number. */
function seedFlowEvents(fake: FakeAppcues) {
	const users = fake.state().users;
	const events = [
		['appcues:flow_started', 1, 6],
		['appcues:flow_completed', 1, 4],
		['appcues:flow_skipped', 2, 1],
		['appcues:step_error', 2, 1],
		['appcues:flow_started', 9, 5],
		['appcues:flow_completed', 9, 2],
		['appcues:flow_skipped', 10, 1],
		['appcues:step_error', 10, 2],
	] as const;
	for (const [name, daysAgo, count] of events) {
		for (let index = 0; index < count; index++) {
			const userId = `digest-user-${index}`;
			const record = users.get(userId) ?? { properties: {}, events: [] };
			record.events.push({
				name,
				timestamp: new Date(Date.now() - daysAgo * DAY).toISOString(),
				attributes: { flow_id: 'flows-1' },
			});
			users.set(userId, record);
		}
	}
}

/** A finished analytics export, as if POSTed earlier. */
function seedExportJob(fake: FakeAppcues) {
	fake.state().analyticsExports.set('exp-demo', {
		job_id: 'exp-demo',
		spec: JSON.parse(analyticsSpec) as never,
		rows: [{ name: 'signed_up', users: 4, events: 4 }],
		polls: 0,
		created_at: new Date().toISOString(),
		outcome: 'done',
		pollsToFinish: 0,
	});
}

// test/support/helpers.ts has the same, but it imports vitest, and `npm run schemas` runs without it.
const credentialsFor = (fake: FakeAppcues) => ({
	apiKey: DEFAULT_ACCOUNT.apiKey,
	apiSecret: DEFAULT_ACCOUNT.apiSecret,
	accountId: DEFAULT_ACCOUNT.accountId,
	region: 'custom',
	baseUrl: fake.url,
	toolsBaseUrl: fake.toolsUrl,
	legacyApiKey: DEFAULT_ACCOUNT.legacyApiKey ?? '',
});

/** One run per operation that gives its typical output. */
export const SAMPLES: Record<string, Record<string, Sample>> = {
	accountTool: {
		getAll: { parameters: { returnAll: true } },
		get: { parameters: { toolName: { __rl: true, mode: 'name', value: 'get_campaign' } } },
		call: { parameters: { toolName: { __rl: true, mode: 'name', value: 'list_campaigns' } } },
	},
	user: {
		getProfile: { parameters: { userId: 'ada' } },
		updateProfile: {
			parameters: {
				userId: 'ada',
				propertiesInput: 'json',
				propertiesJson: '{"plan":"pro","seats":3}',
			},
		},
		deleteProfile: { parameters: { userId: 'alan' } },
		getEvents: { parameters: { userId: 'ada', limit: 5 } },
		trackEvent: {
			parameters: {
				userId: 'ada',
				eventName: 'report_exported',
				additionalFields: { attributes: '{"format":"pdf"}' },
			},
		},
		trackActivity: {
			parameters: {
				userId: 'ada',
				events: {
					event: [
						{
							name: 'legacy_login',
							timestamp: '2026-11-20T11:00:00Z',
							attributes: '{"via":"legacy"}',
						},
					],
				},
				propertiesInput: 'json',
				propertiesJson: '{"plan":"pro"}',
			},
		},
		gdprDelete: { parameters: { userIds: 'alan' } },
	},
	group: {
		getProfile: { parameters: { groupId: 'acme' } },
		updateProfile: {
			parameters: { groupId: 'acme', propertiesInput: 'json', propertiesJson: '{"tier":"pro"}' },
		},
		addUsers: { parameters: { groupId: 'acme', userIds: 'alan' } },
	},
	segment: {
		create: { parameters: { name: 'Example', description: 'An example segment' } },
		get: { parameters: { segmentId: byId('seg-trial') } },
		getAll: { parameters: { returnAll: true } },
		update: { parameters: { segmentId: byId('seg-trial'), updateFields: { name: 'Trial' } } },
		delete: { parameters: { segmentId: byId('seg-admins') } },
		addUsers: { parameters: { segmentId: byId('seg-trial'), source: 'ids', userIds: 'ada' } },
		removeUsers: { parameters: { segmentId: byId('seg-trial'), source: 'ids', userIds: 'alan' } },
		exportMembership: {
			parameters: {
				segmentId: byId('seg-trial'),
				exportFields: { format: 'json', email: 'ops@example.com' },
			},
		},
	},
	experience: {
		get: { parameters: { experienceType: 'flows', experienceId: byId('flows-1') } },
		getAll: { parameters: { experienceType: 'flows', returnAll: true } },
		publish: { parameters: { experienceType: 'banners', experienceId: byId('banners-1') } },
		unpublish: { parameters: { experienceType: 'flows', experienceId: byId('flows-1') } },
		downloadScreenshots: { parameters: { experienceType: 'flows', experienceId: byId('flows-1') } },
	},
	tag: {
		get: { parameters: { tagId: byId('tag-billing') } },
		getAll: { parameters: { returnAll: true } },
	},
	job: {
		get: { parameters: { jobId: 'job-demo-import' } },
		getAll: { parameters: { returnAll: true } },
		wait: { parameters: { jobId: '={{ $json.job_id }}' }, items: [{ job_id: 'from-import' }] },
		getAnalyticsExport: { parameters: { jobId: 'exp-demo' }, setup: seedExportJob },
		waitAnalyticsExport: { parameters: { jobId: 'exp-demo' }, setup: seedExportJob },
		downloadAnalyticsExport: { parameters: { jobId: 'exp-demo' }, setup: seedExportJob },
	},
	import: {
		profiles: { parameters: { source: 'items' }, items: [{ user_id: 'u1', plan: 'pro' }] },
		groups: { parameters: { source: 'items' }, items: [{ group_id: 'g1', tier: 'pro' }] },
		events: {
			parameters: { source: 'items' },
			items: [{ user_id: 'u1', name: 'signed_up', timestamp: '2026-11-20T10:00:00Z' }],
		},
	},
	export: {
		events: {
			parameters: {
				startTime: '2026-10-01T00:00:00',
				endTime: '2026-11-01T00:00:00',
				format: 'json',
				email: 'ops@example.com',
				conditions: '[]',
				timeZone: '00:00',
			},
		},
	},
	analytics: {
		query: { parameters: { query: analyticsSpec } },
		export: { parameters: { query: analyticsSpec } },
		flowPerformanceDigest: { parameters: { days: 7 }, setup: seedFlowEvents },
		comparePeriods: {
			parameters: {
				query: JSON.stringify({ metrics: ['events', 'users'], dimensions: ['name'] }),
				days: 7,
			},
			setup: seedFlowEvents,
		},
	},
};

export interface JsonSchema {
	type: string;
	properties?: Record<string, JsonSchema>;
	items?: JsonSchema;
}

/** The schema of JSON values as n8n's editor reads it: object properties, array items, primitive types. */
export function inferSchema(values: unknown[]): JsonSchema {
	const present = values.filter((value) => value !== undefined && value !== null);
	if (present.length === 0) return { type: 'string' };
	const first = present[0];
	if (Array.isArray(first)) {
		const elements = present.filter(Array.isArray).flat();
		return elements.length ? { type: 'array', items: inferSchema(elements) } : { type: 'array' };
	}
	if (typeof first === 'object') {
		const objects = present.filter(
			(value): value is Record<string, unknown> =>
				typeof value === 'object' && !Array.isArray(value),
		);
		const keys = [...new Set(objects.flatMap((object) => Object.keys(object)))].sort();
		return {
			type: 'object',
			properties: Object.fromEntries(
				keys.map((key) => [key, inferSchema(objects.map((object) => object[key]))]),
			),
		};
	}
	return {
		type: typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string',
	};
}

/** Runs every sample against a fresh demo sandbox; returns `resource/operation` -> schema. */
export async function buildOutputSchemas(): Promise<Record<string, JsonSchema>> {
	const out: Record<string, JsonSchema> = {};
	for (const [resource, operations] of Object.entries(SAMPLES)) {
		for (const [operation, sample] of Object.entries(operations)) {
			const fake = new FakeAppcues({ seed: seedDemoData, jobPollsToFinish: 1 });
			await fake.start();
			try {
				sample.setup?.(fake);
				let items = sample.items;
				if (resource === 'job' && operation === 'wait') {
					const imported = await runAppcuesNode({
						parameters: { resource: 'import', operation: 'profiles', source: 'items' },
						credentials: credentialsFor(fake),
						items: [{ user_id: 'u1' }],
					});
					items = [{ job_id: imported.items[0].json.job_id }];
				}
				const result = await runAppcuesNode({
					parameters: {
						resource,
						operation,
						...sample.parameters,
						options: { maxRetryWaitSeconds: 0.02 },
					},
					credentials: credentialsFor(fake),
					items,
				});
				if (result.error || result.items.length === 0) {
					throw new Error(`${resource}/${operation}: ${result.error?.message ?? 'no output'}`);
				}
				out[`${resource}/${operation}`] = inferSchema(result.items.map((item) => item.json));
			} finally {
				await fake.close();
			}
		}
	}
	return out;
}
