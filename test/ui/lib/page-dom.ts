// The page functions of the browser tests run in Chromium. The project compiles without the DOM
// library (it would change Node's Blob and fetch types), so the little they use is declared here;
// each file that needs it declares `document` itself with these types, for that file only.
export interface PageElement {
	innerText: string;
	textContent: string | null;
	value: string;
	href: string;
	parentElement: PageElement | null;
	getClientRects(): { length: number };
	getBoundingClientRect(): { x: number; y: number; width: number; height: number };
	closest(selector: string): PageElement | null;
	querySelector(selector: string): PageElement | null;
	querySelectorAll(selector: string): PageElement[];
	getAttribute(name: string): string | null;
	contains(other: PageElement): boolean;
	scrollIntoView(options: { block: 'nearest' }): void;
	tagName: string;
	className: string;
}

export interface PageDocument {
	querySelector(selector: string): PageElement | null;
	querySelectorAll(selector: string): PageElement[];
	elementFromPoint(x: number, y: number): PageElement | null;
}

export type RequestAnimationFrame = (callback: (time: number) => void) => number;
