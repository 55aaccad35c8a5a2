package io.calltrack.dni.conversation;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.conversation.ConversationAnalysis;
import io.calltrack.core.conversation.ConversationReport;
import io.calltrack.core.conversation.Transcript;
import io.calltrack.core.conversation.TranscriptionQueue;
import io.calltrack.core.conversation.Transcripts;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.rollup.Dimension;
import io.calltrack.dni.calls.CallRoutes;
import io.calltrack.dni.export.CallPages;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversation intelligence (admin, or a key of the call's property):
 * <ul>
 *   <li>{@code PUT /v1/calls/{callId}/transcript} {@code {segments: [{speaker: "caller"|"agent", start:
 *       12.5, text}], source}} keeps what was said on the call (from the operator's own speech-to-text,
 *       or calltrack's transcriber) and answers it with its analysis; 404 for an unknown call, 410 when
 *       its caller was erased.</li>
 *   <li>{@code GET /v1/calls/{callId}/transcript} → {@code {callId, segments, source, analysis}}, the
 *       analysis under the property's {@code conversations} rules as they are now; 404 without one, saying
 *       when it is waiting to be transcribed or its transcription was given up (and why).</li>
 *   <li>{@code GET /v1/reports/conversations?property&from&to[&groupBy]} → transcription coverage, key
 *       phrases, intent detection, script adherence and classification accuracy of the calls of the
 *       local days {@code [from, to]} ({@link ConversationReport}); {@code groupBy} a report dimension
 *       or {@code day}. The calls and transcripts are read page by page, counted on a worker thread.</li>
 * </ul>
 */
public final class ConversationRoutes {
  /** A transcript of a long call in JSON: 400,000 characters of text and the segments around them. */
  public static final long BODY_LIMIT = 2L * 1024 * 1024;

  private final Vertx vertx;
  private final ConfigStore store;
  private final CallStore calls;
  private final Transcripts transcripts;
  private final TranscriptionQueue queue;
  private final SettingsStore settings;
  private final Clock clock;

  public ConversationRoutes(Vertx vertx, ConfigStore store, CallStore calls, Transcripts transcripts,
      TranscriptionQueue queue, SettingsStore settings, Clock clock) {
    this.queue = queue;
    this.vertx = vertx;
    this.store = store;
    this.calls = calls;
    this.transcripts = transcripts;
    this.settings = settings;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    PropertyFrom ofCall = PropertyFrom.owner("callId", id -> calls.get(id).map(c -> c.map(CallRecord::property)));
    admin.put("/v1/calls/:callId/transcript", this::put).bodyLimit(BODY_LIMIT).scope(ofCall);
    admin.get("/v1/calls/:callId/transcript", this::get).scope(ofCall);
    admin.get("/v1/reports/conversations", this::report).timeout(Timeouts.SLOW_ADMIN)
        .scope(PropertyFrom.query("property"));
  }

  // a transcript runs to 400,000 characters: it is read, written and analysed on a worker thread
  private Future<Reply> put(RoutingContext ctx) {
    return vertx.executeBlocking(() -> {
      Transcript t = Bodies.read(ctx, Transcript.class);
      return Map.entry(t, Transcripts.write(t));
    }, false).compose(t -> CallRoutes.named(ctx, calls)
        .compose(c -> transcripts.put(c.property(), c.callId(), t.getValue()).compose(v -> answer(c, t.getKey()))));
  }

  private Future<Reply> get(RoutingContext ctx) {
    return CallRoutes.named(ctx, calls).compose(c -> transcripts.json(c.property(), List.of(c.callId())).compose(found -> {
      String json = found.get(c.callId());
      if (json == null) {
        return queue.status(c.property(), c.callId()).compose(why -> Future.failedFuture(new CalltrackException.NotFound(
            "call '" + c.callId() + "' has no transcript" + (why == null ? "" : ": " + why))));
      }
      return vertx.executeBlocking(() -> Transcripts.read(json), false).compose(t -> answer(c, t));
    }));
  }

  /** The transcript with its analysis, as JSON written on the worker too. */
  private Future<Reply> answer(CallRecord c, Transcript t) {
    return settings.get(c.property()).compose(s -> vertx.executeBlocking(() -> {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("callId", c.callId());
      out.put("source", t.source());
      out.put("segments", t.segments());
      out.put("analysis", ConversationAnalysis.of(t, s.conversations()));
      return Reply.json(200, out);
    }, false));
  }

  private Future<Map<String, Object>> report(RoutingContext ctx) {
    String by = ctx.request().getParam("groupBy");
    ConversationReport.Grouping grouping = by == null || by.isBlank() ? null
        : "day".equals(by.strip()) ? new ConversationReport.ByDay()
        : new ConversationReport.ByDimension(Dimension.of(by.strip()));
    return ReportParams.property(ctx, store).compose(p -> settings.get(p.id()).compose(s -> {
      ReportParams.Days days = ReportParams.days(ctx, p, clock);
      ConversationReport report = new ConversationReport(s.conversations(), grouping, p.zone());
      return CallPages.read(calls, p, days).compose(pages -> {
        // a page at a time, oldest first: its answered calls' transcripts (only those can have one) read
        // from Redis, then read and counted on a worker thread; one page's transcripts in memory at a time
        Future<Void> chain = Future.succeededFuture();
        for (int i = pages.size() - 1; i >= 0; i--) {
          List<CallRecord> page = CallPages.oldestFirst(List.of(pages.get(i)), p.id());
          List<String> answered = page.stream().filter(c -> c.status() == CallStatus.ANSWERED)
              .map(CallRecord::callId).toList();
          chain = chain.compose(v -> transcripts.json(p.id(), answered)).compose(json -> vertx.executeBlocking(() -> {
            for (CallRecord c : page) {
              String t = json.get(c.callId());
              report.add(c, t == null ? null : Transcripts.read(t));
            }
            return null;
          }, false));
        }
        return chain.map(v -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("property", p.id());
          out.put("from", days.from().toString());
          out.put("to", days.to().toString());
          out.putAll(report.toJson());
          return out;
        });
      });
    }));
  }
}
