import createdFixture from "@fixtures/zammad-ticket-created.json?raw";
import { describe, expect, it } from "vitest";
import { zammad } from "../../../src/sources/zammad";
import type { SourceSettings, TrackerApi, WebhookRequest } from "../../../src/sources/types";
import { hmacHex, postWebhook, SECRET, trackerApi, ticketOf } from "../helpers";

// One path serves every ticket: calls are told apart by ticket ids no other test uses.
const PATH = "/api/v1/ticket_articles";
const NO_SETTINGS: SourceSettings = { get: () => undefined };
const API: TrackerApi = { baseUrl: "http://tracker.mock", token: "tok-123", settings: NO_SETTINGS };

function request(query = ""): WebhookRequest {
  return { raw: new Uint8Array(), headers: new Headers(), url: new URL(`https://bridge.test/webhooks/zammad${query}`) };
}

function created(id: number) {
  const p = JSON.parse(createdFixture);
  p.ticket.id = id;
  p.article.ticket_id = id;
  return p;
}

/** The trigger's delivery for an update that added article 611 (504 opened the ticket). */
function reply(id: number, edit: (p: any) => void = () => {}) {
  const p = created(id);
  p.ticket.article_ids = [504, 611];
  p.ticket.article_count = 2;
  p.article = {
    ...p.article,
    id: 611,
    body: "<p>@devin the guest checkout fails too</p>",
    content_type: "text/html",
    internal: true,
    sender: "Agent",
    type: "note",
    from: "Erin Dev",
    created_by: { ...p.article.created_by, login: "erin@acme.test", email: "erin@acme.test" },
  };
  edit(p);
  return p;
}


async function articlesFor(ticketId: number) {
  return (await trackerApi.requests(PATH)).filter((c) => (c.body as { ticket_id?: unknown })?.ticket_id === ticketId);
}

describe("Zammad comment back", () => {
  it("posts an internal text note with Token auth", async () => {
    await trackerApi.route({ method: "POST", path: PATH, status: 201, body: { id: 700 } });
    const t = ticketOf(zammad.parse(created(92001), request(), NO_SETTINGS));
    await zammad.comment!(t, "hello", API);
    const calls = await articlesFor(92001);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(PATH);
    expect(call!.headers.authorization).toBe("Token token=tok-123");
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.body).toEqual({ ticket_id: 92001, body: "hello", content_type: "text/plain", type: "note", internal: true });
  });

  it("makes the note public when ZAMMAD_COMMENT_INTERNAL=false", async () => {
    await trackerApi.route({ method: "POST", path: PATH, status: 201, body: { id: 701 } });
    const t = ticketOf(zammad.parse(created(92002), request(), NO_SETTINGS));
    const settings: SourceSettings = { get: (name) => (name === "COMMENT_INTERNAL" ? "false" : undefined) };
    await zammad.comment!(t, "hello", { ...API, settings });
    const [call] = await articlesFor(92002);
    expect(call!.body).toMatchObject({ ticket_id: 92002, internal: false });
  });

  it("throws on a non-2xx answer", async () => {
    await trackerApi.route({ method: "POST", path: PATH, status: 403, body: { error: "Not authorized" } });
    const t = ticketOf(zammad.parse(created(92003), request(), NO_SETTINGS));
    await expect(zammad.comment!(t, "hello", API)).rejects.toThrow(/403/);
    await trackerApi.route({ method: "POST", path: PATH, status: 201, body: { id: 702 } });
  });
});

describe("Zammad comment events", () => {
  it("turns an update's new article into a follow-up keyed like the ticket", () => {
    const ticket = ticketOf(zammad.parse(created(92010), request(), NO_SETTINGS));
    expect(zammad.parse(reply(92010), request(), NO_SETTINGS)).toEqual({
      kind: "comment",
      comment: { source: "zammad", key: ticket.key, id: "31081", text: "@devin the guest checkout fails too", author: "Erin Dev" },
    });
    // Customers' replies count; without the id list, the count tells a reply.
    const byCustomer = reply(92010, (p) => {
      p.article.sender = "Customer";
      delete p.ticket.article_ids;
    });
    expect(zammad.parse(byCustomer, request(), NO_SETTINGS)).toMatchObject({ kind: "comment", comment: { key: "92010" } });
  });

  it("keeps the opening article and article-less updates as ticket events", () => {
    expect(zammad.parse(created(92011), request(), NO_SETTINGS).kind).toBe("ticket");
    const noIds = created(92011);
    delete noIds.ticket.article_ids;
    expect(zammad.parse(noIds, request(), NO_SETTINGS).kind).toBe("ticket");
    const noArticle = reply(92011, (p) => (p.article = {}));
    expect(zammad.parse(noArticle, request(), NO_SETTINGS).kind).toBe("ticket");
  });

  it("keeps a delivery to a ?label= URL a ticket event: that trigger selects tickets", () => {
    expect(zammad.parse(reply(92012), request("?label=devin-autofix"), NO_SETTINGS).kind).toBe("ticket");
  });

  it("skips the system's articles and empty ones", () => {
    const system = reply(92013, (p) => (p.article.sender = "System"));
    expect(zammad.parse(system, request(), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: expect.stringMatching(/system/) });
    const empty = reply(92013, (p) => (p.article.body = "<p> </p>"));
    expect(zammad.parse(empty, request(), NO_SETTINGS)).toMatchObject({ kind: "skip", reason: "empty article" });
  });

  it("answers a reply on a ticket without a session as skipped, through the Worker", async () => {
    const raw = JSON.stringify(reply(92014));
    const res = await postWebhook(raw, {
      path: "/webhooks/zammad",
      unsigned: true,
      headers: { "x-hub-signature": `sha1=${await hmacHex(SECRET, raw, "SHA-1")}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "skipped", reason: expect.stringMatching(/no Devin session/) });
  });
});
