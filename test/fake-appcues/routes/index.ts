/**
 * The routing table: every route module, in the order the server tries them. A new operation's
 * route goes in its resource's module; a new resource adds its module here.
 */
import type { FakeAppcues } from '../server';
import { analyticsRoutes } from './analytics';
import { experienceRoutes } from './experience';
import { exportRoutes } from './export';
import { groupRoutes } from './group';
import { importRoutes } from './import';
import { jobRoutes } from './job';
import { legacyRoutes } from './legacy';
import type { Route, RouteModule } from './route';
import { segmentRoutes } from './segment';
import { tagRoutes } from './tag';
import { userRoutes } from './user';

export const ROUTE_MODULES: RouteModule[] = [
	userRoutes,
	legacyRoutes,
	groupRoutes,
	segmentRoutes,
	importRoutes,
	exportRoutes,
	analyticsRoutes,
	experienceRoutes,
	tagRoutes,
	jobRoutes,
];

export function buildRoutes(fake: FakeAppcues): Route[] {
	return ROUTE_MODULES.flatMap((routes) => routes(fake));
}
