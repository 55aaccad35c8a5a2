package io.calltrack.core.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Lua script shipped as a classpath resource and run by SHA. Redis keeps scripts in a cache that a
 * restart or {@code SCRIPT FLUSH} empties; on {@code NOSCRIPT} the script is sent whole once with
 * EVAL, which also loads it again. This is the one Lua-script loader of the project.
 */
public final class LuaScript {
  private final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /** Every script loaded in this JVM, by name: what a test checks against a cluster. */
  private static final Map<String, LuaScript> LOADED = new ConcurrentHashMap<>();

  /** Loads {@code resource} (e.g. {@code /lua/pool/assign.lua}) from the classpath. */
  public static LuaScript load(String resource) {
    return register(new LuaScript(resource, read(resource)));
  }

  private static LuaScript register(LuaScript script) {
    LOADED.put(script.name, script);
    return script;
  }

  /** The scripts loaded so far in this JVM (a class loads its scripts when it is first used). */
  public static Collection<LuaScript> loaded() {
    return List.copyOf(LOADED.values());
  }

  private static String read(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Lua script not on the classpath: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads several resources as one script, in order: a shared library of Lua functions first, then
   * the script that uses it (Redis has no include of its own).
   */
  public static LuaScript load(String first, String... more) {
    StringBuilder source = new StringBuilder(read(first));
    StringBuilder name = new StringBuilder(first);
    for (String resource : more) {
      source.append('\n').append(read(resource));
      name.append('+').append(resource);
    }
    return register(new LuaScript(name.toString(), source.toString()));
  }

  public String name() {
    return name;
  }

  public String sha() {
    return sha;
  }

  /** Runs the script with {@code keys} and {@code args}. */
  public Future<Response> run(RedisAPI redis, List<String> keys, List<String> args) {
    List<String> call = new ArrayList<>(2 + keys.size() + args.size());
    call.add(sha);
    call.add(Integer.toString(keys.size()));
    call.addAll(keys);
    call.addAll(args);
    return redis.evalsha(call).recover(err -> {
      if (err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")) {
        List<String> full = new ArrayList<>(call);
        full.set(0, source);
        return redis.eval(full);
      }
      return Future.failedFuture(err);
    });
  }

  /**
   * Runs the script and then {@code WAIT replicas timeout} on the same connection (one batch, sent to
   * the node that owns the keys' slot): the answer comes only once {@code replicas} replicas have the
   * write, so a failover right after cannot lose it. Fails with {@link NotReplicated} if fewer
   * acknowledged in time (the write may then still be on the master alone). A master with fewer
   * replicas than asked (after a failover, before its replica is back) needs only those it has.
   */
  public Future<Response> runReplicated(Redis redis, List<String> keys, List<String> args, Durability durability) {
    if (!durability.enabled()) {
      return run(RedisAPI.api(redis), keys, args);
    }
    List<String> call = new ArrayList<>(2 + keys.size() + args.size());
    call.add(sha);
    call.add(Integer.toString(keys.size()));
    call.addAll(keys);
    call.addAll(args);
    return batchWithWait(redis, Command.EVALSHA, call, durability).recover(err -> {
      // a batch reports a command's error as "ERR [index] NOSCRIPT ..."
      if (err.getMessage() != null && err.getMessage().contains("NOSCRIPT")) {
        List<String> full = new ArrayList<>(call);
        full.set(0, source);
        return batchWithWait(redis, Command.EVAL, full, durability);
      }
      return Future.failedFuture(err);
    });
  }

  /**
   * Runs the script once per entry of {@code runs} (each its keys and args), all in one batch on one
   * connection: one write and one read for them all, where {@link #run} costs each run its own. Every
   * key of every run must be in one slot. With {@code durability}, one {@code WAIT} follows the batch
   * and covers every run in it. Answers in the order of {@code runs}.
   *
   * <p>Only for a script that a second run with the same arguments leaves as the first left it (as
   * {@code apply-event} does, by its seq): a batch that Redis answered with an error in any of its
   * runs ({@code NOSCRIPT} after a restart, or a run the script refused) says only that one failed,
   * so each run is then sent again on its own, one after another (the batch's order holds: a call's
   * events may share a batch), and the first error fails the whole. A batch that did not reach Redis
   * fails whole, sent no further.
   */
  public Future<List<Response>> runAll(Redis redis, List<Run> runs, Durability durability) {
    if (runs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Request> batch = new ArrayList<>(runs.size() + 2);
    for (Run r : runs) {
      Request req = Request.cmd(Command.EVALSHA).arg(sha).arg(r.keys().size());
      r.keys().forEach(req::arg);
      r.args().forEach(req::arg);
      batch.add(req);
    }
    if (durability.enabled()) {
      batch.addAll(waitAndRole(durability));
    }
    return redis.batch(batch).compose(res -> {
      NotReplicated missing = durability.enabled() ? notReplicated(res, runs.size(), durability) : null;
      return missing != null ? Future.failedFuture(missing) : Future.succeededFuture(res.subList(0, runs.size()));
    }, err -> {
      if (!(err instanceof Response)) { // not Redis's answer: the batch did not get through
        return Future.failedFuture(err);
      }
      return oneByOne(redis, runs, durability, 0, new ArrayList<>(runs.size()));
    });
  }

  /** The runs from {@code from} on, each once the one before it has its answer: the batch's order holds. */
  private Future<List<Response>> oneByOne(Redis redis, List<Run> runs, Durability durability, int from,
      List<Response> answers) {
    if (from == runs.size()) {
      return Future.succeededFuture(answers);
    }
    Run r = runs.get(from);
    Future<Response> one = durability.enabled() ? runReplicated(redis, r.keys(), r.args(), durability)
        : run(RedisAPI.api(redis), r.keys(), r.args());
    return one.compose(res -> {
      answers.add(res);
      return oneByOne(redis, runs, durability, from + 1, answers);
    });
  }

  /** One run of a script in {@link #runAll}: its keys and its args. */
  public record Run(List<String> keys, List<String> args) {}

  private static Future<Response> batchWithWait(Redis redis, Command cmd, List<String> call, Durability d) {
    Request script = Request.cmd(cmd);
    call.forEach(script::arg);
    return sendReplicated(redis, script, d);
  }

  /**
   * Sends one plain write ({@code SET}, {@code DEL}) the way {@link #runReplicated} sends a script:
   * with {@code durability}, followed by its {@code WAIT} in one batch on the same connection; fails
   * with {@link NotReplicated} if fewer replicas than asked have it in time. Without, sent alone.
   */
  public static Future<Response> sendReplicated(Redis redis, Request write, Durability durability) {
    if (!durability.enabled()) {
      return redis.send(write);
    }
    List<Request> batch = new ArrayList<>(3);
    batch.add(write);
    batch.addAll(waitAndRole(durability));
    return redis.batch(batch).compose(res -> {
      NotReplicated missing = notReplicated(res, 1, durability);
      return missing != null ? Future.failedFuture(missing) : Future.succeededFuture(res.get(0));
    });
  }

  /**
   * WAIT for the replicas, then ROLE, on the same master: how many replicas it has now. A master left
   * without its replica (its own was promoted elsewhere, or is down) cannot do better than the replicas
   * it has: the write then counts once those have it (none: the WAIT times out, the write stands).
   */
  private static List<Request> waitAndRole(Durability d) {
    return List.of(Request.cmd(Command.WAIT).arg(d.replicas()).arg(d.timeout().toMillis()), Request.cmd(Command.ROLE));
  }

  /** The answers of {@link #waitAndRole} at {@code at} in a batch: null if enough replicas have the writes. */
  private static NotReplicated notReplicated(List<Response> res, int at, Durability d) {
    long acked = res.get(at).toLong();
    Response r = res.get(at + 1);
    long connected = r != null && r.size() > 2 && r.get(2) != null ? r.get(2).size() : d.replicas();
    long needed = Math.min(d.replicas(), connected);
    return acked < needed ? new NotReplicated(acked, (int) needed) : null;
  }

  /** A write that fewer replicas than asked acknowledged within the timeout. */
  public static final class NotReplicated extends RuntimeException {
    private final long acked;
    private final int wanted;

    public NotReplicated(long acked, int wanted) {
      super("write acknowledged by " + acked + " of " + wanted + " replicas in time");
      this.acked = acked;
      this.wanted = wanted;
    }

    /** How many replicas confirmed the write in time. */
    public long acked() {
      return acked;
    }

    /** How many had to. */
    public int wanted() {
      return wanted;
    }
  }

  /**
   * How many replicas must have a write before it counts as done ({@code WAIT}), and how long to wait.
   * {@link #NONE} skips the wait (replication stays asynchronous).
   */
  public record Durability(int replicas, java.time.Duration timeout) {
    public static final Durability NONE = new Durability(0, java.time.Duration.ZERO);

    public boolean enabled() {
      return replicas > 0;
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
