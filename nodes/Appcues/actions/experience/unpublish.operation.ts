import { publishingOperation } from './publishing';

export const { description, prepare, execute } = publishingOperation('unpublish');
