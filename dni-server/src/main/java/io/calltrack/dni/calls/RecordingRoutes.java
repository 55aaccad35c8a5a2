package io.calltrack.dni.calls;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;

/**
 * {@code GET /v1/calls/{callId}/recording} (admin) → the call's recording as {@code audio/wav} (16-bit PCM,
 * 8 kHz, two channels: left the caller, right the business line), made by the SIP router through rtpengine
 * for properties with {@code record: true}. 404 when the call is unknown, has no recording (not recorded,
 * the media relay did not take it, or erased), or the file is gone (past retention). The recordings folder
 * is the router's ({@code CALLTRACK_RECORDINGS_DIR}, shared by both); {@link RecordingSweeper} deletes files
 * whose record expired or was erased.
 */
public final class RecordingRoutes {
  private final Vertx vertx;
  private final CallStore calls;
  private final Path dir;

  /** {@code dir}: the recordings folder; null when this server keeps none (every recording is then 404). */
  public RecordingRoutes(Vertx vertx, CallStore calls, Path dir) {
    this.vertx = vertx;
    this.calls = calls;
    this.dir = dir;
  }

  public void mount(AdminApi admin) {
    admin.get("/v1/calls/:callId/recording", this::get)
        .scope(PropertyFrom.owner("callId", id -> calls.get(id).map(c -> c.map(CallRecord::property))));
  }

  private Future<Reply> get(RoutingContext ctx) {
    return CallRoutes.named(ctx, calls).compose(call -> {
      String callId = call.callId();
      String file = call.media() == null ? null : call.media().recordingFile();
      if (file == null || dir == null) {
        throw new CalltrackException.NotFound("call '" + callId + "' has no recording");
      }
      Path path = dir.resolve(file);
      return vertx.fileSystem().readFile(path.toString())
          .recover(err -> Future.failedFuture(new CalltrackException.NotFound(
              "the recording of call '" + callId + "' is no longer kept")))
          .map(body -> Reply.of("audio/wav", body)
              .header("cache-control", "no-store")
              .header("content-disposition", "attachment; filename=\"" + file + "\""));
    });
  }
}
