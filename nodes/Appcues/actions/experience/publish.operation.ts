import { publishingOperation } from './publishing.shared';

export const { description, prepare, execute } = publishingOperation('publish');
