package io.calltrack.core.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.webhooks.WebhookTargets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One side of a recording sent to an OpenAI-compatible speech-to-text endpoint ({@code POST
 * /v1/audio/transcriptions}, multipart: {@code file}, {@code model}, {@code response_format=verbose_json},
 * {@code language}), as OpenAI and the self-hosted Whisper servers take it; its answer read as segments
 * ({@code segments[].start}, {@code .text}), or as one segment from {@code text} when the server gives no
 * segments. The URL goes through the same address check as webhooks ({@link WebhookTargets}): it is a
 * tenant's input.
 */
public final class SpeechToText implements AutoCloseable {
  /** A long call takes the service a while; no answer byte for this long is a failure. */
  public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(3);
  /** The most of an answer read: a transcript of hours of speech with its segments' timings. */
  static final long MAX_ANSWER_BYTES = 8L * 1024 * 1024;

  private final Vertx vertx;
  private final HttpClient http;
  private final WebhookTargets targets;

  public SpeechToText(Vertx vertx, WebhookTargets targets) {
    this.vertx = vertx;
    this.targets = targets;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000));
  }

  /**
   * What {@code speaker} said in {@code wav} (a mono WAV), as segments; fails with why when the service did
   * not answer with them. The request body (up to 20 MB of audio) is put together, and the answer (up to
   * {@value #MAX_ANSWER_BYTES} bytes of JSON) read, on a worker: never on the event loop.
   */
  public Future<List<Transcript.Segment>> transcribe(ConversationRules.Transcription service, Transcript.Speaker speaker,
      byte[] wav) {
    String boundary = "calltrack-" + UUID.randomUUID();
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(service.url())
        .setIdleTimeout(IDLE_TIMEOUT.toMillis())
        .putHeader("content-type", "multipart/form-data; boundary=" + boundary)
        .putHeader("accept", "application/json");
    if (service.apiKey() != null) {
      o.putHeader("authorization", "Bearer " + service.apiKey());
    }
    return vertx.executeBlocking(() -> body(service, speaker, wav, boundary), false)
        .compose(body -> targets.addressOf(vertx, service.url())
            .compose(checked -> http.request(checked == null ? o : o.setServer(checked)))
            .compose(req -> req.send(body)))
        .compose(res -> read(res).compose(answer -> res.statusCode() / 100 == 2
            ? vertx.executeBlocking(() -> segments(speaker, answer), false)
            : Future.failedFuture(new IllegalStateException(io.calltrack.core.webhooks.WebhookSender.withoutQuery(service.url()) + " answered "
                + res.statusCode() + ": " + clip(answer.toString(StandardCharsets.UTF_8))))));
  }

  /** The multipart body: the audio as {@code file}, and the model, answer format and language. */
  private static Buffer body(ConversationRules.Transcription service, Transcript.Speaker speaker, byte[] wav,
      String boundary) {
    Buffer body = Buffer.buffer(wav.length + 1024);
    part(body, boundary, "file\"; filename=\"" + speaker.json() + ".wav", "audio/wav", Buffer.buffer(wav));
    part(body, boundary, "model", null, Buffer.buffer(service.model()));
    part(body, boundary, "response_format", null, Buffer.buffer("verbose_json"));
    if (service.language() != null) {
      part(body, boundary, "language", null, Buffer.buffer(service.language()));
    }
    body.appendString("--" + boundary + "--\r\n");
    return body;
  }

  /** The segments of a verbose_json answer (or its whole text as one); fails on anything else. */
  static List<Transcript.Segment> segments(Transcript.Speaker speaker, Buffer answer) {
    JsonNode json;
    try {
      json = JsonMapper.mapper().readTree(answer.getBytes());
    } catch (Exception e) {
      throw new IllegalStateException("the speech-to-text answer is not JSON");
    }
    List<Transcript.Segment> out = new ArrayList<>();
    JsonNode segments = json.path("segments");
    if (segments.isArray() && !segments.isEmpty()) {
      for (JsonNode s : segments) {
        BigDecimal start = s.path("start").isNumber() ? s.path("start").decimalValue().max(BigDecimal.ZERO) : BigDecimal.ZERO;
        out.add(new Transcript.Segment(speaker, start, s.path("text").asText("")));
      }
    } else if (json.path("text").isTextual()) {
      out.add(new Transcript.Segment(speaker, BigDecimal.ZERO, json.path("text").asText()));
    } else {
      throw new IllegalStateException("the speech-to-text answer has neither segments nor text");
    }
    return out;
  }

  private static void part(Buffer body, String boundary, String name, String type, Buffer value) {
    body.appendString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n");
    if (type != null) {
      body.appendString("Content-Type: " + type + "\r\n");
    }
    body.appendString("\r\n").appendBuffer(value).appendString("\r\n");
  }

  /** The answer's body, or a failure when it is larger than {@link #MAX_ANSWER_BYTES}. */
  private static Future<Buffer> read(HttpClientResponse res) {
    Promise<Buffer> read = Promise.promise();
    Buffer kept = Buffer.buffer();
    res.handler(chunk -> {
      if (kept.length() + chunk.length() > MAX_ANSWER_BYTES) {
        res.handler(null);
        read.tryFail(new IllegalStateException("the speech-to-text answer is larger than " + MAX_ANSWER_BYTES + " bytes"));
        res.request().reset();
      } else {
        kept.appendBuffer(chunk);
      }
    });
    res.exceptionHandler(read::tryFail);
    res.end().onComplete(ar -> {
      if (ar.succeeded()) {
        read.tryComplete(kept);
      } else {
        read.tryFail(ar.cause());
      }
    });
    return read.future();
  }

  private static String clip(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }

  @Override
  public void close() {
    http.close();
  }
}
