package io.calltrack.dni.snippet;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The built {@code dni.js} (the js-snippet module's classpath resource {@code calltrack/dni.js}) in
 * both encodings it is served in, each with its own strong ETag: two encodings are two
 * representations, so they must not share a strong validator.
 */
public record Snippet(Buffer plain, Buffer gzipped, String etag, String gzipEtag) {
  public static final String RESOURCE = "calltrack/dni.js";

  /**
   * Read and compressed once per JVM, the first time a server mounts it: a few kilobytes from the
   * classpath, so the one-time read at start-up costs less than handing it to a worker thread would.
   */
  private static final class Holder {
    static final Snippet BUILT = fromClasspath();
  }

  public static Snippet built() {
    return Holder.BUILT;
  }

  public static Snippet of(byte[] script) {
    byte[] gz = gzip(script);
    String tag = hash(script);
    return new Snippet(Buffer.buffer(script), Buffer.buffer(gz), "\"" + tag + "\"", "\"" + tag + "-gz\"");
  }

  private static Snippet fromClasspath() {
    try (InputStream in = Snippet.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath: the js-snippet module "
            + "builds it (mvn -pl js-snippet,dni-server -am package)");
      }
      return of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return out.toByteArray();
  }

  private static String hash(byte[] data) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
