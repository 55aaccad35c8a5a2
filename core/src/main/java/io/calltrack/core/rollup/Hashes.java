package io.calltrack.core.rollup;

import io.vertx.redis.client.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads an HGETALL answer whether the connection speaks RESP3 (a map) or RESP2 (a flat array). */
public final class Hashes {
  private Hashes() {}

  public static Map<String, String> toMap(Response res) {
    Map<String, String> out = new LinkedHashMap<>();
    if (res == null) {
      return out;
    }
    if (res.isMap()) {
      for (String k : res.getKeys()) {
        out.put(k, res.get(k).toString());
      }
      return out;
    }
    for (int i = 0; i + 1 < res.size(); i += 2) {
      out.put(res.get(i).toString(), res.get(i + 1).toString());
    }
    return out;
  }
}
