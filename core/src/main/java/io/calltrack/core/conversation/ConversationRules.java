package io.calltrack.core.conversation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a property listens for in its calls' transcripts ({@code conversations} in
 * {@code PUT /v1/properties/{id}/marketing}); every list optional, at most {@value #MAX_PHRASES}
 * phrases of at most {@value #MAX_PHRASE} characters each, matched as whole words whatever their case,
 * accents and punctuation ({@link Phrases}):
 * <ul>
 *   <li>{@code keyPhrases}: what the business wants to know its callers and agents talk about
 *       (a competitor, "price", "insurance"), said by either side;</li>
 *   <li>{@code leadPhrases}: what a caller says when they mean to buy ("book an appointment", "a
 *       quote"); a call whose caller says one is detected as a lead;</li>
 *   <li>{@code script}: what every agent should say ("thank you for calling", "can I have your name").</li>
 * </ul>
 * Transcripts are analysed when read, so a phrase added today counts in last month's calls too.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConversationRules(List<String> keyPhrases, List<String> leadPhrases, List<String> script,
    Transcription transcription) {
  public static final int MAX_PHRASES = 100;
  public static final int MAX_PHRASE = 100;
  public static final ConversationRules NONE = new ConversationRules(null, null, null, null);

  public ConversationRules {
    keyPhrases = phrases(keyPhrases, "conversations.keyPhrases");
    leadPhrases = phrases(leadPhrases, "conversations.leadPhrases");
    script = phrases(script, "conversations.script");
  }

  /** A list as given, blank entries refused, one of each phrase kept (the first of those that read alike). */
  private static List<String> phrases(List<String> given, String field) {
    if (given == null) {
      return List.of();
    }
    if (given.size() > MAX_PHRASES) {
      throw new CalltrackException.Invalid(field + ": at most " + MAX_PHRASES + " phrases, got " + given.size());
    }
    Map<String, String> byWords = new LinkedHashMap<>();
    for (int i = 0; i < given.size(); i++) {
      String p = given.get(i);
      if (p == null || Phrases.words(p).isEmpty()) {
        throw new CalltrackException.Invalid(field + "[" + (i + 1) + "]: expected a phrase with at least one letter or digit");
      }
      if (p.length() > MAX_PHRASE) {
        throw new CalltrackException.Invalid(field + "[" + (i + 1) + "]: at most " + MAX_PHRASE + " characters, got " + p.length());
      }
      byWords.putIfAbsent(Phrases.words(p), p.strip());
    }
    return List.copyOf(new ArrayList<>(byWords.values()));
  }

  /** Whether there is anything to look for. */
  public boolean listens() {
    return !keyPhrases.isEmpty() || !leadPhrases.isEmpty() || !script.isEmpty();
  }

  /**
   * A speech-to-text service that calltrack sends each recorded call to (an OpenAI-compatible
   * {@code POST /v1/audio/transcriptions}: OpenAI's own, or a self-hosted Whisper server).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Transcription(String url, String apiKey, String model, String language) {
    private static final java.util.regex.Pattern MODEL = java.util.regex.Pattern.compile("[A-Za-z0-9._:/-]{1,100}");
    private static final java.util.regex.Pattern LANGUAGE = java.util.regex.Pattern.compile("[a-z]{2}");
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,512}");

    public Transcription {
      url = url == null ? null : url.strip();
      io.calltrack.core.marketing.PropertySettings.requireUrl(url, "conversations.transcription.url");
      if (url.contains("#")) {
        throw new CalltrackException.Invalid("conversations.transcription.url must be a URL without a fragment: '" + url + "'");
      }
      apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
      if (apiKey != null && !KEY.matcher(apiKey).matches()) {
        throw new CalltrackException.Invalid("conversations.transcription.apiKey must be up to 512 printable characters without spaces");
      }
      model = model == null || model.isBlank() ? "whisper-1" : model.strip();
      if (!MODEL.matcher(model).matches()) {
        throw new CalltrackException.Invalid("conversations.transcription.model must be up to 100 letters, digits or . _ : / -: '" + model + "'");
      }
      language = language == null || language.isBlank() ? null : language.strip();
      if (language != null && !LANGUAGE.matcher(language).matches()) {
        throw new CalltrackException.Invalid("conversations.transcription.language must be an ISO 639-1 code like en: '" + language + "'");
      }
    }
  }
}
