package io.calltrack.core.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides, among the sessions of one number that could own a call at {@code at}, who does: the one
 * whose lease covered {@code at}, else the one whose hold covered it, else (every candidate's real
 * end passed, e.g. a recycled hold whose successor already ended too) the latest-started candidate
 * as a HOLD. Intervals are half-open: lease [startedAt, leaseExpiresAt), hold [leaseExpiresAt, endsAt),
 * candidacy [startedAt, naturalEndsAt).
 */
final class ResolutionPicker {
  private ResolutionPicker() {}

  static Resolution pick(List<Session> sessions, Instant at) {
    List<Session> candidates = new ArrayList<>();
    for (Session s : sessions) {
      if (!s.startedAt().isAfter(at) && at.isBefore(s.naturalEndsAt())) {
        candidates.add(s);
      }
    }
    if (candidates.isEmpty()) {
      return Resolution.unattributed();
    }
    Comparator<Session> latestFirst = Comparator.comparing(Session::startedAt).reversed()
        .thenComparing(Session::sessionId);
    candidates.sort(latestFirst);
    Optional<Session> lease = candidates.stream().filter(s -> at.isBefore(s.leaseExpiresAt())).findFirst();
    Resolution.Kind kind;
    Session holder;
    if (lease.isPresent()) {
      kind = Resolution.Kind.LEASE;
      holder = lease.get();
    } else {
      kind = Resolution.Kind.HOLD;
      holder = candidates.stream().filter(s -> at.isBefore(s.endsAt())).findFirst().orElse(candidates.get(0));
    }
    List<Session> ordered = new ArrayList<>(candidates.size());
    ordered.add(holder);
    candidates.stream().filter(s -> s != holder).forEach(ordered::add);
    return new Resolution(kind, holder, ordered, null);
  }
}
