import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as deleteProfile from './deleteProfile.operation';
import * as gdprDelete from './gdprDelete.operation';
import * as getEvents from './getEvents.operation';
import * as getProfile from './getProfile.operation';
import * as trackActivity from './trackActivity.operation';
import * as trackEvent from './trackEvent.operation';
import * as updateProfile from './updateProfile.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['user'] } },
	options: [
		{
			name: 'Delete Profile',
			value: 'deleteProfile',
			action: 'Delete a user profile',
			description:
				"Delete an end user's profile and reset their flow and checklist " +
				'state. Analytics data is kept; this is not a GDPR erasure.',
		},
		{
			name: 'Erase Users (GDPR)',
			value: 'gdprDelete',
			action: 'Erase users and their data for GDPR',
			description:
				'Permanently erase end users and all their data from Appcues with ' +
				'the legacy GDPR API. Unlike Delete Profile, this cannot be undone.',
		},
		{
			name: 'Get Events',
			value: 'getEvents',
			action: 'Get recent events of a user',
			description:
				'Get the most recent events Appcues recorded for an end user, one item per event',
		},
		{
			name: 'Get Profile',
			value: 'getProfile',
			action: 'Get a user profile',
			description: 'Get the profile properties Appcues holds for an end user',
		},
		{
			name: 'Track Activity (Legacy)',
			value: 'trackActivity',
			action: 'Track activity of a user with the legacy API',
			description:
				'Send events and a profile update for an end user in one call to the legacy v1 API',
		},
		{
			name: 'Track Event',
			value: 'trackEvent',
			action: 'Track an event for a user',
			description:
				'Record an event for an end user; it can be used for targeting ' +
				'at once and appears in analytics after a few minutes',
		},
		{
			name: 'Update Profile',
			value: 'updateProfile',
			action: 'Update a user profile',
			description:
				'Set profile properties on an end user, creating ' +
				'the user if needed; available for targeting at once',
		},
	],
	default: 'getProfile',
};

export const user: ResourceModule = {
	displayName: 'User',
	operations: {
		deleteProfile,
		gdprDelete,
		getEvents,
		getProfile,
		trackActivity,
		trackEvent,
		updateProfile,
	},
	description: [
		operationField,
		...getProfile.description,
		...updateProfile.description,
		...deleteProfile.description,
		...getEvents.description,
		...trackEvent.description,
		...trackActivity.description,
		...gdprDelete.description,
	],
};
