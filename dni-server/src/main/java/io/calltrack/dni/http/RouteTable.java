package io.calltrack.dni.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Every route of a router and its sub-routers, as "METHOD /path/:param": what the suite holds against
 * openapi.json, and what a 405 names in its {@code Allow} header (RFC 9110 15.5.6 requires one).
 */
public final class RouteTable {
  /** One mounted route: its method and full path, and that path as a pattern of concrete paths. */
  public record Entry(HttpMethod method, String path, Pattern matches) {}

  private final List<Entry> entries;

  private RouteTable(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static RouteTable of(Router router) {
    List<Entry> out = new ArrayList<>();
    collect(router, "", out);
    return new RouteTable(out);
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The methods some route takes on {@code path} ("GET, HEAD, POST"), or null when no route has the path. */
  public String allowOn(String path) {
    Set<String> methods = new TreeSet<>();
    for (Entry e : entries) {
      if (e.matches().matcher(path).matches()) {
        methods.add(e.method().name());
      }
    }
    return methods.isEmpty() ? null : String.join(", ", methods);
  }

  private static void collect(Router router, String prefix, List<Entry> out) {
    for (Route r : router.getRoutes()) {
      if (r.getSubRouter() != null) {
        String mount = r.getPath() == null ? "" : r.getPath().replaceAll("/$", "");
        collect(r.getSubRouter(), prefix + mount, out);
      } else if (r.getPath() != null && r.methods() != null) {
        // a sub-router's "/" is its mount point itself (AdminApi mounts /v1/properties*, not /v1/properties/*)
        String path = prefix.isEmpty() || !r.getPath().equals("/") ? prefix + r.getPath() : prefix;
        for (HttpMethod m : r.methods()) {
          out.add(new Entry(m, path, pattern(path)));
        }
      }
    }
  }

  /** "/v1/calls/:callId" → a pattern of "/v1/calls/" and one segment; the rest taken literally. */
  private static Pattern pattern(String path) {
    StringBuilder regex = new StringBuilder();
    for (String part : path.split("(?=/)")) {
      regex.append(part.startsWith("/:") ? "/[^/]+" : Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }
}
