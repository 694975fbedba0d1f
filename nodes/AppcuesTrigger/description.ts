import type { INodeProperties } from 'n8n-workflow';

/**
 * Appcues' analytics event names; a payload's name matches with or without the `appcues:` prefix.
 */
export const EVENT_TYPES = [
	{ name: 'Checklist Completed', value: 'appcues:checklist_completed' },
	{ name: 'Checklist Dismissed', value: 'appcues:checklist_dismissed' },
	{ name: 'Checklist Skipped', value: 'appcues:checklist_skipped' },
	{ name: 'Checklist Started', value: 'appcues:checklist_started' },
	{ name: 'Flow Aborted', value: 'appcues:flow_aborted' },
	{ name: 'Flow Completed', value: 'appcues:flow_completed' },
	{ name: 'Flow Skipped', value: 'appcues:flow_skipped' },
	{ name: 'Flow Started', value: 'appcues:flow_started' },
	{ name: 'Form Field Submitted', value: 'appcues:form_field_submitted' },
	{ name: 'Mobile Flow Completed', value: 'appcues:mobile_flow_completed' },
	{ name: 'Mobile Flow Skipped', value: 'appcues:mobile_flow_skipped' },
	{ name: 'Mobile Flow Started', value: 'appcues:mobile_flow_started' },
	{ name: 'NPS Score', value: 'appcues:nps_score' },
	{ name: 'Pin Interacted', value: 'appcues:pin_interacted' },
	{ name: 'Segment Entered', value: 'appcues:segment_entered' },
].map((option) => ({ ...option, description: option.value }));

export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;
export const DEFAULT_MAX_BODY_KB = 1024;

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Appcues has no API for webhooks, so add this one by hand: in Appcues Studio ' +
			'open Settings > Integrations > Webhooks, create a webhook and paste the ' +
			'Production URL of this node into it (click Webhook URLs at the top of this panel, ' +
			'choose Production URL and click the URL to copy it; the Test URL works while you ' +
			'listen for a test event), choose its events and save. To have deliveries signed, copy ' +
			'the secret key shown there into Webhook Signing Secret in the Appcues API credential.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName:
			'If the selected credential holds a Webhook Signing Secret, every delivery must carry a ' +
			'valid signature. If no credential is selected, or its Webhook Signing Secret is empty, ' +
			'deliveries are accepted unchecked, and anyone who knows this URL can start the workflow.',
		name: 'securityNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Event Types',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_TYPES,
		default: [],
		description:
			'Events that start the workflow; leave empty (and Custom Event Names empty) ' +
			'for every event. Other events are acknowledged and ignored.',
	},
	{
		displayName: 'Custom Event Names',
		name: 'customEvents',
		type: 'string',
		default: '',
		placeholder: 'e.g. appcues:nps_feedback, trial_ended',
		description:
			'More event names to accept, separated by commas. ' +
			'Names match with or without the "appcues:" prefix, ignoring case.',
	},
	{
		displayName: 'Experience or Flow IDs',
		name: 'experienceIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. 0f5c2a7e-1b9d-4c6e-8a3f-5d2e7b9c1a4f',
		description:
			'Only start the workflow for events of these flows or ' +
			'experiences, separated by commas. Leave empty for all.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Ignore Duplicate Deliveries',
				name: 'ignoreDuplicates',
				type: 'boolean',
				default: true,
				description:
					'Whether to acknowledge an event whose ID was already received, or a signed ' +
					'delivery already received byte for byte, without starting the workflow again',
			},
			{
				displayName: 'Include Headers and Verified Flag',
				name: 'includeHeaders',
				type: 'boolean',
				default: false,
				description:
					'Whether to output each event as { body, headers, verified, signatureForm } ' +
					'instead of the event alone. Verified is true when the signature was checked, ' +
					'false when no secret is set; signatureForm names the Signature Format that matched.',
			},
			{
				displayName: 'Max Body Size (KB)',
				name: 'maxBodySize',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_MAX_BODY_KB,
				description: "Larger deliveries are refused with 400. 0 means no limit beyond n8n's own.",
			},
			{
				displayName: 'Replay Window (Seconds)',
				name: 'replayWindow',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_REPLAY_WINDOW_SECONDS,
				description:
					'How far X-Apc-Timestamp may be from now, either way, for a signed ' +
					'delivery to be accepted. Event IDs are remembered until a copy could ' +
					'no longer pass (at least twice this long). 0 turns the time check off.',
			},
			{
				displayName: 'Signature Format',
				name: 'signatureFormat',
				type: 'options',
				options: [
					{
						name: 'Automatic',
						value: 'auto',
						description: 'Accept any of the forms below until one verifies, then only that one',
					},
					{
						name: 'Body Only (Base64)',
						value: 'bodyBase64',
						description: 'Base64 HMAC-SHA256 of the raw body',
					},
					{
						name: 'Body Only (Hex)',
						value: 'bodyHex',
						description: 'Hex HMAC-SHA256 of the raw body',
					},
					{
						name: 'Timestamp + Body (Base64)',
						value: 'timestampBodyBase64',
						description: 'Base64 HMAC-SHA256 of the timestamp followed directly by the raw body',
					},
					{
						name: 'Timestamp + Body (Hex)',
						value: 'timestampBodyHex',
						description: 'Hex HMAC-SHA256 of the timestamp followed directly by the raw body',
					},
					{
						name: 'Timestamp + Dot + Body (Base64)',
						value: 'timestampDotBodyBase64',
						description: 'Base64 HMAC-SHA256 of the timestamp, a ".", then the raw body',
					},
					{
						name: 'Timestamp + Dot + Body (Hex)',
						value: 'timestampDotBodyHex',
						description: 'Hex HMAC-SHA256 of the timestamp, a ".", then the raw body',
					},
				],
				default: 'auto',
				description:
					'What X-Apc-Signature is computed over and how it is encoded; a "sha256=" ' +
					'prefix is always allowed. Pin one form once you know which your account sends.',
			},
		],
	},
];
