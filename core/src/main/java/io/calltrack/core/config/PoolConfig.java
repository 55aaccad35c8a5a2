package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/** A pool of tracking numbers leased to visits of one property (docs/contract.md {@code PUT /v1/pools/{poolId}}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PoolConfig(
    String id,
    String property,
    List<PhoneNumber> numbers,
    Integer leaseSeconds,
    Integer holdSeconds,
    OnExhausted onExhausted,
    Match match) {

  public static final int DEFAULT_LEASE_SECONDS = 120;
  public static final int DEFAULT_HOLD_SECONDS = 1800;
  public static final int MAX_NUMBERS = 10_000;

  public PoolConfig {
    Ids.require("pool", id);
    Ids.require("property", property);
    if (numbers == null || numbers.isEmpty()) {
      throw new CalltrackException.Invalid("a pool needs at least one number");
    }
    if (numbers.size() > MAX_NUMBERS) {
      throw new CalltrackException.Invalid("a pool holds at most " + MAX_NUMBERS + " numbers");
    }
    numbers = List.copyOf(numbers);
    if (new HashSet<>(numbers).size() != numbers.size()) {
      throw new CalltrackException.Invalid("a pool lists a number twice");
    }
    leaseSeconds = leaseSeconds == null ? DEFAULT_LEASE_SECONDS : leaseSeconds;
    holdSeconds = holdSeconds == null ? DEFAULT_HOLD_SECONDS : holdSeconds;
    if (leaseSeconds < 5 || leaseSeconds > 86_400) {
      throw new CalltrackException.Invalid("leaseSeconds must be between 5 and 86400");
    }
    if (holdSeconds < 0 || holdSeconds > 7 * 86_400) {
      throw new CalltrackException.Invalid("holdSeconds must be between 0 and 604800");
    }
    onExhausted = onExhausted == null ? OnExhausted.FALLBACK : onExhausted;
    match = match == null ? Match.ANY : match;
  }

  public PoolConfig withId(String newId) {
    return new PoolConfig(newId, property, numbers, leaseSeconds, holdSeconds, onExhausted, match);
  }

  /** What to do when every number is leased or held. */
  public enum OnExhausted {
    /** Show the property's default number and say {@code fallback: true}; counted. */
    FALLBACK("fallback"),
    /** Take the number whose hold (else lease) is oldest; counted. */
    RECYCLE_OLDEST("recycle-oldest"),
    /**
     * Let the new visit share a leased or held number whose current visit has the same channel
     * (source, medium, campaign), the one whose last visit it is least likely to be confused with
     * (left longest ago, or in another time zone: see assign.lua); fallback when none has.
     * A call to a shared number is then at least channel-exact; counted.
     */
    SHARE_CHANNEL("share-channel");

    private final String json;

    OnExhausted(String json) {
      this.json = json;
    }

    @JsonValue
    public String json() {
      return json;
    }

    @JsonCreator
    public static OnExhausted of(String value) {
      for (OnExhausted o : values()) {
        if (o.json.equals(value)) {
          return o;
        }
      }
      throw new CalltrackException.Invalid(
          "onExhausted must be 'fallback', 'recycle-oldest' or 'share-channel': '" + value + "'");
    }
  }

  /**
   * Which visits a pool serves. A null field matches anything; a pool that names more fields is more
   * specific and wins over one that names fewer.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Match(String source, String medium) {
    public static final Match ANY = new Match(null, null);

    public Match {
      source = source == null || source.isBlank() ? null : source.strip();
      medium = medium == null || medium.isBlank() ? null : medium.strip();
    }

    public boolean matches(Attribution a) {
      return (source == null || source.equalsIgnoreCase(Objects.requireNonNullElse(a.source(), "")))
          && (medium == null || medium.equalsIgnoreCase(Objects.requireNonNullElse(a.medium(), "")));
    }

    public int specificity() {
      return (source == null ? 0 : 1) + (medium == null ? 0 : 1);
    }
  }
}
