package io.calltrack.launcher.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** docker/compose.yaml and docker/Dockerfile as the tests read them. */
final class ComposeFile {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Z_]+)(?::[?-]([^}]*))?}");

  final Map<String, Object> services;
  final List<String> dockerfile;

  private ComposeFile(Map<String, Object> services, List<String> dockerfile) {
    this.services = services;
    this.dockerfile = dockerfile;
  }

  @SuppressWarnings("unchecked")
  static ComposeFile read() {
    Path docker = repoRoot().resolve("docker");
    try {
      Map<String, Object> doc = new Yaml().load(Files.readString(docker.resolve("compose.yaml")));
      return new ComposeFile((Map<String, Object>) doc.get("services"), Files.readAllLines(docker.resolve("Dockerfile")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("docker").resolve("compose.yaml"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no docker/compose.yaml above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> service(String name) {
    return (Map<String, Object>) services.get(name);
  }

  /** Services that run the calltrack image (built from the Dockerfile). */
  List<String> calltrackServices() {
    List<String> out = new ArrayList<>();
    services.forEach((name, s) -> {
      if (((Map<?, ?>) s).containsKey("build")) {
        out.add(name);
      }
    });
    return out;
  }

  /**
   * A service's environment with {@code ${VAR:?msg}} given {@code given.get(VAR)} and
   * {@code ${VAR:-default}} its default (or the given value when there is one).
   */
  @SuppressWarnings("unchecked")
  Map<String, String> environment(String service, Map<String, String> given) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Object> env = (Map<String, Object>) service(service).getOrDefault("environment", Map.of());
    env.forEach((k, v) -> {
      Matcher m = VAR.matcher(String.valueOf(v));
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String value = given.containsKey(m.group(1)) ? given.get(m.group(1)) : m.group(2);
        m.appendReplacement(sb, Matcher.quoteReplacement(value == null ? "" : value));
      }
      m.appendTail(sb);
      out.put(k, sb.toString());
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  List<String> list(String service, String field) {
    Object v = service(service).get(field);
    return v == null ? List.of() : ((List<Object>) v).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  List<String> healthcheck(String service) {
    Map<String, Object> h = (Map<String, Object>) service(service).get("healthcheck");
    return h == null ? List.of() : ((List<Object>) h.get("test")).stream().map(String::valueOf).toList();
  }

  /** A Dockerfile instruction's JSON-array argument, e.g. ENTRYPOINT ["java", ...]. */
  List<String> dockerArray(String instruction) {
    String joined = String.join("\n", dockerfile).replace("\\\n", " ");
    for (String line : joined.split("\n")) {
      String l = line.strip();
      if (l.startsWith(instruction + " ")) {
        String rest = l.substring(instruction.length()).strip();
        if (rest.startsWith("CMD ")) { // HEALTHCHECK [options] CMD [...]
          rest = rest.substring(4).strip();
        } else if (rest.contains(" CMD [")) {
          rest = rest.substring(rest.indexOf(" CMD [") + 5).strip();
        }
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(rest);
        while (m.find()) {
          out.add(m.group(1));
        }
        return out;
      }
    }
    return List.of();
  }

  /** A Dockerfile instruction's plain argument (USER, EXPOSE, COPY...), every occurrence. */
  List<String> dockerLines(String instruction) {
    return dockerfile.stream().map(String::strip).filter(l -> l.startsWith(instruction + " "))
        .map(l -> l.substring(instruction.length()).strip()).toList();
  }
}
