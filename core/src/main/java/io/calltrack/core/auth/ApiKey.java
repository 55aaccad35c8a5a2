package io.calltrack.core.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An API key as stored: everything but the key itself, which only its holder has (the store keeps
 * its SHA-256). A key opens the admin API of one property, to read ({@code GET}) or to write (read
 * and change), until it is revoked or, if it was given one, until it expires.
 *
 * @param id public id (part of the key, and what revokes it)
 * @param property the one property the key opens
 * @param scope read or write
 * @param name optional label
 * @param createdAt when it was issued
 * @param expiresAt when it stops working by itself; null: never (until revoked)
 * @param lastUsedAt when it last opened a request, to the minute ({@link ApiKeys#USE_RECORDED_EVERY});
 *                   null: never. Kept apart from the record ({@value ApiKeys#LAST_USED}), filled in when listed.
 * @param sha256 hex SHA-256 of the whole key
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKey(String id, String property, Scope scope, String name, Instant createdAt, Instant expiresAt,
    Instant lastUsedAt, String sha256) {
  public enum Scope {
    read,
    write;

    /** Whether a key of this scope may make a request that reads ({@code write == false}) or changes. */
    public boolean allows(boolean write) {
      return !write || this == Scope.write;
    }
  }

  /** The record without its hash, as the admin API lists it. */
  public ApiKey withoutHash() {
    return new ApiKey(id, property, scope, name, createdAt, expiresAt, lastUsedAt, null);
  }

  /** The same key, last used at {@code at}. */
  ApiKey usedAt(Instant at) {
    return new ApiKey(id, property, scope, name, createdAt, expiresAt, at, sha256);
  }

  /** Whether it has expired at {@code now}. */
  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
