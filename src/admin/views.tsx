/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import type { RunStatus, TicketRecord } from "../store/tickets";
import { ENDED, STOPPABLE } from "../store/tickets";
import { STATUS_WORDS, STATUSES, ticketName, ticketPath, type SourceView, type TicketPage, type TimelineEvent } from "./data";

// Plain HTML and a little CSS: readable on a phone, no script, no build step.
const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1b1f24;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
header a{color:#fff;text-decoration:none}header strong{margin-right:auto}
main{padding:1rem;max-width:72rem;margin:auto}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.4rem .5rem;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
.banner{background:#fff3cd;border:1px solid #e0c46c;padding:.5rem 1rem;margin-bottom:1rem}
.error{color:#a4161a}.muted{color:#68717d}
.st{display:inline-block;padding:0 .4rem;border-radius:.6rem;font-size:.85em;background:#e3e6ea}
.st-failed{background:#f8d7da}.st-finished{background:#d1e7dd}.st-started{background:#cfe2ff}.st-stopped{background:#e2e3e5}.st-deferred,.st-waiting,.st-suspended{background:#fff3cd}
form.inline{display:inline}button{font:inherit;padding:.3rem .7rem;cursor:pointer}
@media (max-width:40rem){table.tickets thead{display:none}table.tickets tr{display:block;border-bottom:2px solid #e3e6ea}table.tickets td{display:block;border:0;padding:.15rem .5rem}}
`;

export const Layout: FC<{ title: string; dryRun?: boolean; nav?: boolean; children?: Child }> = ({ title, dryRun, nav = true, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} · devin-ticket-bridge</title>
      <style>{CSS}</style>
    </head>
    <body>
      <header>
        <strong>devin-ticket-bridge</strong>
        {nav && (
          <>
            <a href="/admin">Tickets</a>
            <a href="/admin/spend">Spend</a>
            <a href="/admin/config">Configuration</a>
            <form class="inline" method="post" action="/admin/logout">
              <button type="submit">Sign out</button>
            </form>
          </>
        )}
      </header>
      <main>
        {dryRun && <p class="banner" role="status">DRY_RUN is on: no session is started and no tracker is written to.</p>}
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

export const SignIn: FC<{ failed?: boolean; disabled?: boolean }> = ({ failed, disabled }) => (
  <Layout title="Sign in" nav={false}>
    {disabled ? (
      <p>Set ADMIN_TOKEN (at least 16 characters) to enable the console.</p>
    ) : (
      <form method="post" action="/admin/login">
        {failed && <p class="error">That token was not accepted.</p>}
        <label>
          Admin token <input type="password" name="token" autocomplete="current-password" required />
        </label>{" "}
        <button type="submit">Sign in</button>
      </form>
    )}
  </Layout>
);

const Status: FC<{ status: RunStatus }> = ({ status }) => <span class={`st st-${status}`}>{STATUS_WORDS[status]}</span>;

const Links: FC<{ record: TicketRecord }> = ({ record }) => (
  <>
    {record.url ? <a href={record.url}>session</a> : <span class="muted">no session</span>}
    {(record.pull_requests ?? []).map((pr, i) => (
      <>
        {" · "}
        <a href={pr}>PR {i + 1}</a>
      </>
    ))}
  </>
);

export const TicketList: FC<{ page: TicketPage; status?: RunStatus; source?: string; sources: string[]; dryRun: boolean }> = ({
  page,
  status,
  source,
  sources,
  dryRun,
}) => {
  const query = (p: number) => `?${new URLSearchParams({ ...(status ? { status } : {}), ...(source ? { source } : {}), page: String(p) })}`;
  return (
    <Layout title="Tickets" dryRun={dryRun}>
      <form method="get" action="/admin">
        <label>
          Status{" "}
          <select name="status">
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option value={s} selected={s === status}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          Source{" "}
          <select name="source">
            <option value="">any</option>
            {sources.map((s) => (
              <option value={s} selected={s === source}>
                {s}
              </option>
            ))}
          </select>
        </label>{" "}
        <button type="submit">Filter</button>
      </form>
      <p class="muted">
        {page.total} ticket{page.total === 1 ? "" : "s"} (each at its latest run), newest change first
        {page.truncated ? " (only the first 1000 records were read: filter to see older ones)" : ""}.
      </p>
      <table class="tickets">
        <thead>
          <tr>
            <th>Tracker</th>
            <th>Ticket</th>
            <th>Status</th>
            <th>Session and PRs</th>
            <th>Last change</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {page.records.map((r) => (
            <tr data-ticket={ticketName(r)}>
              <td>{r.ticket?.tracker ?? r.source}</td>
              <td>
                <a href={ticketPath(r)}>{ticketName(r)}</a> {r.title}
                {r.ticket_url && (
                  <>
                    {" "}
                    <a href={r.ticket_url} class="muted">
                      (open)
                    </a>
                  </>
                )}
              </td>
              <td>
                <Status status={r.status} />
              </td>
              <td>
                <Links record={r} />
              </td>
              <td>
                <time datetime={r.updated_at}>{r.updated_at.replace("T", " ").slice(0, 16)}</time>
              </td>
              <td class="error">{r.error?.message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {page.page > 1 && <a href={query(page.page - 1)}>← newer</a>} page {page.page} of {page.pages}{" "}
        {page.page < page.pages && <a href={query(page.page + 1)}>older →</a>}
      </p>
    </Layout>
  );
};

export const TicketDetail: FC<{ runs: TicketRecord[]; events: TimelineEvent[]; dryRun: boolean; notice?: string }> = ({
  runs,
  events,
  dryRun,
  notice,
}) => {
  const latest = runs[0]!;
  return (
    <Layout title={`${latest.source} ${ticketName(latest)}`} dryRun={dryRun}>
      {notice && <p class="banner">{notice}</p>}
      <p>
        {latest.title} {latest.ticket_url && <a href={latest.ticket_url}>open the ticket</a>}
      </p>
      <p>
        <Status status={latest.status} /> <Links record={latest} />
      </p>
      {STOPPABLE.includes(latest.status) && (
        <form method="post" action={`/admin/runs/${latest.instance_id}/stop`}>
          <button type="submit">Stop this session</button>
        </form>
      )}
      {(latest.status === "failed" || latest.status === "stopped") && latest.ticket && (
        <form method="post" action={`/admin/runs/${latest.instance_id}/retry`}>
          <button type="submit">Retry (run {(latest.run ?? 1) + 1})</button>
        </form>
      )}
      <h2>Timeline</h2>
      <ul class="timeline">
        {events.map((e) => (
          <li>
            <time datetime={e.at}>{e.at.replace("T", " ").slice(0, 19)}</time> run {e.run}: {e.what}
          </li>
        ))}
      </ul>
      <h2>Runs</h2>
      <table>
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Created</th>
            <th>Updated</th>
            <th>Session and PRs</th>
            <th>Error or stopped by</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr>
              <td>{r.run ?? 1}</td>
              <td>
                <Status status={r.status} />
                {r.session_status ? <span class="muted"> (Devin: {r.session_status})</span> : ""}
              </td>
              <td>{r.created_at}</td>
              <td>{r.updated_at}</td>
              <td>
                <Links record={r} />
              </td>
              <td class="error">{r.error ? `${r.error.message} (${r.error.code})` : (r.stopped_by ?? "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!ENDED.includes(latest.status) && <p class="muted">A running session is followed by its workflow; reload to see it move.</p>}
    </Layout>
  );
};

/** Sessions per day as bars: inline SVG, no script. */
export const Chart: FC<{ days: { day: string; sessions: number }[] }> = ({ days }) => {
  const max = Math.max(1, ...days.map((d) => d.sessions));
  const w = 24;
  const h = 100;
  const top = 12;
  return (
    <svg viewBox={`0 0 ${days.length * w} ${top + h + 20}`} width="100%" style="max-width:40rem" role="img" aria-label="Sessions started per day, last 14 days">
      {days.map((d, i) => {
        const bar = Math.round((d.sessions / max) * h);
        return (
          <g>
            <title>{`${d.day}: ${d.sessions}`}</title>
            <rect x={i * w + 3} y={top + h - bar} width={w - 6} height={bar} fill="#3b6fd4" />
            <text x={i * w + w / 2} y={top + h - bar - 2} font-size="9" text-anchor="middle">
              {d.sessions || ""}
            </text>
            <text x={i * w + w / 2} y={top + h + 14} font-size="8" text-anchor="middle">
              {d.day.slice(8)}
            </text>
          </g>
        );
      })}
    </svg>
  );
};

export const Spend: FC<{
  usage: { lastHour: number; lastDay: number };
  limits: { perHour: number; perDay: number };
  days: { day: string; sessions: number }[];
  deferred: TicketRecord[];
  dryRun: boolean;
}> = ({ usage, limits, days, deferred, dryRun }) => (
  <Layout title="Spend" dryRun={dryRun}>
    <p>
      Sessions started in the last hour: <strong data-usage="hour">{usage.lastHour}</strong> of {limits.perHour} (MAX_SESSIONS_PER_HOUR)
    </p>
    <p>
      Sessions started in the last 24 hours: <strong data-usage="day">{usage.lastDay}</strong> of {limits.perDay} (MAX_SESSIONS_PER_DAY)
    </p>
    <h2>Sessions per day, last 14 days</h2>
    <Chart days={days} />
    <h2>Deferred tickets</h2>
    {deferred.length === 0 ? (
      <p class="muted">None: every ticket got its session.</p>
    ) : (
      <ul>
        {deferred.map((r) => (
          <li>
            <a href={ticketPath(r)}>
              {r.source} {ticketName(r)}
            </a>{" "}
            starts {r.retry_at ? `at ${r.retry_at}` : "when the limit allows"}
          </li>
        ))}
      </ul>
    )}
  </Layout>
);

/** Settings that are missing or wrong, each named by its variable (never its value). */
const Problems: FC<{ problems: { variable: string; message: string }[] }> = ({ problems }) => (
  <ul class="error">
    {problems.map((p) => (
      <li>
        <code>{p.variable}</code>: {p.message}
      </li>
    ))}
  </ul>
);

export const Configuration: FC<{
  sources: SourceView[];
  playbooks: [string, string][];
  problems: { variable: string; message: string }[];
  dryRun: boolean;
}> = ({ sources, playbooks, problems, dryRun }) => (
  <Layout title="Configuration" dryRun={dryRun}>
    {problems.length > 0 && (
      <>
        <h2>Problems</h2>
        <Problems problems={problems} />
      </>
    )}
    <h2>Playbooks</h2>
    <ul>
      {playbooks.map(([label, id]) => (
        <li>
          label <code>{label}</code> → <code>{id}</code>
        </li>
      ))}
    </ul>
    <h2>Sources</h2>
    <table>
      <thead>
        <tr>
          <th>Source</th>
          <th>Webhook secret</th>
          <th>Base URL</th>
          <th>API token</th>
          <th>Write-back</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((s) => (
          <tr data-source={s.id} class={s.configured ? "" : "muted"}>
            <td>
              {s.name} <code>/webhooks/{s.id}</code>
              {s.configured ? "" : " (no own settings)"}
            </td>
            <td>{s.secret === "own" ? "set" : s.secret === "shared" ? "shared WEBHOOK_SECRET" : "not set"}</td>
            <td>{s.baseUrl ?? "not set"}</td>
            <td>{s.token === "own" ? "set" : s.token === "shared" ? "shared TICKET_API_TOKEN" : "not set"}</td>
            <td>{s.writeBack}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Layout>
);

export const Misconfigured: FC<{ problems: { variable: string; message: string }[] }> = ({ problems }) => (
  <Layout title="The bridge is misconfigured" nav={false}>
    <Problems problems={problems} />
  </Layout>
);
