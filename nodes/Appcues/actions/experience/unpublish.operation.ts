import { publishingOperation } from './publishing';

export const { description, execute } = publishingOperation('unpublish');
