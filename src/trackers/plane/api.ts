import * as z from "../../zod";
import type { StampedTicket, TrackerApi } from "../contract";
import { describe, send, type CommentCall } from "../kit/comment-call";
import { trackerRequest } from "../kit/http";

export type PlaneSettings = { WORKSPACE_SLUG?: string };

type Api = Pick<TrackerApi<PlaneSettings>, "baseUrl" | "settings">;

/**
 * The REST API lives at the instance root, and its paths want the workspace
 * slug: `PLANE_WORKSPACE_SLUG`, else the last segment of `PLANE_BASE_URL`
 * (the workspace URL).
 */
function workspaceApi(api: Api): { root: string; slug: string } {
  const url = new URL(api.baseUrl);
  const segments = url.pathname.split("/").filter(Boolean);
  const slug = api.settings.WORKSPACE_SLUG ?? segments.at(-1);
  if (!slug) throw new Error("Plane workspace unknown: set PLANE_BASE_URL to the workspace URL or PLANE_WORKSPACE_SLUG");
  if (segments.at(-1) === slug) segments.pop();
  return { root: [url.origin, ...segments].join("/"), slug };
}

export function commentsUrl(ticket: Pick<StampedTicket, "key" | "reply">, api: Api): string {
  const projectId = ticket.reply?.projectId;
  if (typeof projectId !== "string" || !projectId) throw new Error("Plane ticket without its project id: cannot comment");
  const { root, slug } = workspaceApi(api);
  const [w, p, i] = [slug, projectId, ticket.key].map(encodeURIComponent);
  return `${root}/api/v1/workspaces/${w}/projects/${p}/issues/${i}/comments/`;
}

const Project = z.looseObject({ identifier: z.string().check(z.trim(), z.minLength(1), z.maxLength(32)) });

/** The webhook names the project by UUID: its identifier (`WEB`) makes the id people use, `WEB-128`. */
export async function enrich(ticket: StampedTicket, api: TrackerApi<PlaneSettings>): Promise<{ id?: string; project?: string }> {
  const { projectId, sequence } = ticket.reply ?? {};
  if (typeof projectId !== "string" || sequence === undefined) return {};
  const { root, slug } = workspaceApi(api);
  const url = `${root}/api/v1/workspaces/${encodeURIComponent(slug)}/projects/${encodeURIComponent(projectId)}/`;
  const project = Project.safeParse(await trackerRequest("GET", url, { "x-api-key": api.token }));
  return project.success ? { id: `${project.data.identifier}-${sequence}`, project: project.data.identifier } : {};
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Bare URLs become links; punctuation that ends a sentence stays outside. */
function lineToHtml(line: string): string {
  let html = "";
  let last = 0;
  for (const match of line.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const url = match[0].replace(/[.,;:!?)]+$/, "");
    html += `${escapeHtml(line.slice(last, match.index))}<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    last = match.index + url.length;
  }
  return html + escapeHtml(line.slice(last));
}

/** Plane stores comments as HTML: plain lines would run together, and bare URLs would not be links. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${paragraph.split("\n").map(lineToHtml).join("<br>")}</p>`)
    .join("");
}

/** `POST …/issues/{id}/comments/` with an API key in `X-API-Key` (Plane takes no Bearer token there). */
export function commentCall(ticket: StampedTicket, html: string, api: TrackerApi<PlaneSettings>): CommentCall {
  return { method: "POST", url: commentsUrl(ticket, api), headers: { "x-api-key": api.token }, body: { comment_html: html } };
}

export const writeBack = (ticket: StampedTicket, body: string, api: TrackerApi<PlaneSettings>) => send(commentCall(ticket, textToHtml(body), api));
export const commentInstruction = (ticket: StampedTicket, api: TrackerApi<PlaneSettings>) =>
  describe({ ...commentCall(ticket, "<p>your comment</p>", api), note: "comment_html is HTML: one <p> per paragraph, URLs as <a href> links" });
