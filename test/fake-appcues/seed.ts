/**
 * Demo data for the sandbox (`npm run dev`) and the end-to-end suite: a few users with
 * properties and events, groups, segments, one experience of each type, tags and a job.
 */
import type { AccountState, FakeAccount } from './server';
import { EXPERIENCE_TYPES } from './server';

const DAY = 24 * 60 * 60 * 1000;

export function seedDemoData(state: AccountState, account: FakeAccount) {
	const at = (daysAgo: number) =>
		new Date(Date.parse('2026-11-01T09:00:00Z') - daysAgo * DAY).toISOString();
	const users: Array<[string, Record<string, unknown>, string[]]> = [
		[
			'ada',
			{
				name: 'Ada Lovelace',
				email: 'ada@example.com',
				plan: 'enterprise',
				seats: 40,
				role: 'admin',
			},
			['signed_up', 'report_exported', 'invited_teammate'],
		],
		[
			'grace',
			{ name: 'Grace Hopper', email: 'grace@example.com', plan: 'pro', seats: 5, role: 'editor' },
			['signed_up', 'report_exported'],
		],
		[
			'alan',
			{ name: 'Alan Turing', email: 'alan@example.com', plan: 'trial', seats: 1, role: 'viewer' },
			['signed_up'],
		],
		[
			'katherine',
			{
				name: 'Katherine Johnson',
				email: 'katherine@example.com',
				plan: 'pro',
				seats: 12,
				role: 'admin',
			},
			['signed_up', 'appcues:flow_completed'],
		],
	];
	users.forEach(([id, properties, events], index) => {
		state.users.set(id, {
			properties,
			events: events.map((name, n) => ({
				name,
				timestamp: at(30 - index - n * 3),
				attributes: { source: 'seed' },
			})),
		});
	});
	state.groups.set('acme', {
		properties: { name: 'Acme Inc', tier: 'enterprise', region: 'EMEA' },
		users: new Set(['ada', 'grace']),
	});
	state.groups.set('globex', {
		properties: { name: 'Globex', tier: 'pro', region: 'AMER' },
		users: new Set(['alan', 'katherine']),
	});

	const segments: Array<[string, string, string, string[]]> = [
		[
			'seg-power-users',
			'Power Users',
			'Users on the pro or enterprise plan',
			['ada', 'grace', 'katherine'],
		],
		['seg-trial', 'Trial Users', 'Users still on a trial', ['alan']],
		['seg-admins', 'Admins', 'Account administrators', ['ada', 'katherine']],
	];
	for (const [id, name, description, members] of segments) {
		state.segments.set(id, {
			id,
			name,
			description,
			created_at: at(60),
			updated_at: at(10),
			user_ids: new Set(members),
		});
	}

	const names: Record<string, string> = {
		flows: 'Welcome tour',
		'flows-v2': 'Onboarding checklist flow',
		checklists: 'Getting started checklist',
		pins: 'New reports button',
		mobile: 'Mobile welcome',
		launchpads: 'Resource center',
		banners: 'Maintenance window banner',
		embeds: 'Inline upgrade card',
		nps: 'Quarterly NPS',
	};
	for (const type of EXPERIENCE_TYPES) {
		const byId = state.experiences.get(type)!;
		const id = `${type}-1`;
		byId.set(id, {
			id,
			name: names[type],
			type,
			account_id: account.accountId,
			published: type !== 'banners',
			state: type !== 'banners' ? 'PUBLISHED' : 'DRAFT',
			created_at: at(90),
			updated_at: at(5),
		});
		byId.set(`${type}-2`, {
			id: `${type}-2`,
			name: `${names[type]} (draft)`,
			type,
			account_id: account.accountId,
			published: false,
			state: 'DRAFT',
			created_at: at(20),
			updated_at: at(2),
		});
	}

	for (const [id, name] of [
		['tag-onboarding', 'onboarding'],
		['tag-billing', 'billing'],
		['tag-release', 'release notes'],
	]) {
		state.tags.set(id, { id, name, created_at: at(100) });
	}
	state.jobs.set('job-demo-import', {
		id: 'job-demo-import',
		name: 'import profiles',
		polls: 99,
		finalStatus: 'complete',
		created_at: at(1),
	});
}
