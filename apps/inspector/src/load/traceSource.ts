/** Where a trace comes from: a picked or dropped file, a URL, or text made on the page (the simulator). */
export type TraceSource =
  | { readonly kind: 'file'; readonly file: File }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'text'; readonly text: string; readonly name: string };
