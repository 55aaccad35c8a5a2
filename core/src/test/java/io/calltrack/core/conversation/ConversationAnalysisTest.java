package io.calltrack.core.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.conversation.Transcript.Segment;
import io.calltrack.core.conversation.Transcript.Speaker;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Phrases matched as whole words, by the side that must say them; transcripts and rules checked. */
class ConversationAnalysisTest {

  static Segment caller(double at, String text) {
    return new Segment(Speaker.CALLER, BigDecimal.valueOf(at), text);
  }

  static Segment agent(double at, String text) {
    return new Segment(Speaker.AGENT, BigDecimal.valueOf(at), text);
  }

  @Test
  void phrasesAreWholeWordsWhateverTheirCaseAccentsAndPunctuation() {
    assertEquals("thank you jose", Phrases.words("  Thank-you, José! "));
    assertEquals("id like a quote", Phrases.words("I’d like a QUOTE..."));
    assertTrue(Phrases.said(Phrases.words("What's the PRICE?"), Phrases.words("price")));
    assertFalse(Phrases.said(Phrases.words("It's priceless"), Phrases.words("price")));
    assertFalse(Phrases.said(Phrases.words("book an appointment"), Phrases.words("an app")));
    assertTrue(Phrases.said(Phrases.words("ÉCOLE"), Phrases.words("ecole")));
    assertFalse(Phrases.said("anything", ""));
  }

  @Test
  void leadPhrasesCountOnlyWhenTheCallerSaysThemAndTheScriptOnlyWhenTheAgentDoes() {
    ConversationRules rules = new ConversationRules(List.of("price"), List.of("a quote"),
        List.of("thank you for calling", "your name"), null);
    // the agent offering a quote is not a caller's intent; the caller thanking is not the script
    Transcript t = new Transcript(List.of(agent(0, "Would you like a quote?"),
        caller(2, "Thank you for calling back. What's the price?")), null);
    ConversationAnalysis a = ConversationAnalysis.of(t, rules);
    assertEquals(List.of("price"), a.keyPhrases());
    assertEquals(List.of(), a.leadPhrases());
    assertEquals(Boolean.FALSE, a.leadIntent());
    assertEquals(List.of(), a.scriptSaid());
    assertEquals(new BigDecimal("0.0000"), a.scriptAdherence());

    ConversationAnalysis none = ConversationAnalysis.of(t, ConversationRules.NONE);
    assertNull(none.keyPhrases());
    assertNull(none.leadIntent());
    assertNull(none.scriptAdherence());
  }

  @Test
  void aPhraseMaySpanTwoSegmentsOfOneSpeaker() {
    ConversationRules rules = new ConversationRules(null, List.of("book an appointment"), null, null);
    Transcript t = new Transcript(List.of(caller(1, "I want to book"), agent(2, "mm-hm"), caller(3, "an appointment")), null);
    assertEquals(Boolean.TRUE, ConversationAnalysis.of(t, rules).leadIntent());
  }

  @Test
  void transcriptsAreOrderedBlankSegmentsDroppedAndBadOnesRefused() {
    Transcript t = new Transcript(List.of(caller(5.1234, " later "), agent(1, "first"), caller(3, "   ")), " whisper-1 ");
    assertEquals(List.of("first", "later"), t.segments().stream().map(Segment::text).toList());
    assertEquals(new BigDecimal("5.123"), t.segments().get(1).start());
    assertEquals("whisper-1", t.source());
    assertThrows(CalltrackException.Invalid.class, () -> caller(-0.5, "hi"));
    assertThrows(CalltrackException.Invalid.class, () -> caller(86_401, "hi"));
    assertThrows(CalltrackException.Invalid.class, () -> new Segment(null, BigDecimal.ONE, "hi"));
    assertThrows(CalltrackException.Invalid.class, () -> caller(1, "x".repeat(Segment.MAX_TEXT + 1)));
    assertThrows(CalltrackException.Invalid.class, () -> Speaker.of("customer"));
    assertThrows(CalltrackException.Invalid.class, () -> new Transcript(null, null));
    assertThrows(CalltrackException.Invalid.class, () -> new Transcript(List.of(), "bad\nsource"));
    List<Segment> many = java.util.Collections.nCopies(50, caller(1, "y".repeat(Segment.MAX_TEXT)));
    assertThrows(CalltrackException.Invalid.class, () -> new Transcript(many, null));
  }

  @Test
  void rulesKeepOnePhraseOfEachAndRefuseEmptyOrLongOnes() {
    ConversationRules r = new ConversationRules(List.of("Price", "price!", "  a quote "), null, null, null);
    assertEquals(List.of("Price", "a quote"), r.keyPhrases());
    CalltrackException e = assertThrows(CalltrackException.Invalid.class,
        () -> new ConversationRules(null, List.of("ok", "?!"), null, null));
    assertTrue(e.getMessage().contains("conversations.leadPhrases[2]"), e.getMessage());
    assertThrows(CalltrackException.Invalid.class,
        () -> new ConversationRules(null, null, List.of("x".repeat(ConversationRules.MAX_PHRASE + 1)), null));
    assertThrows(CalltrackException.Invalid.class,
        () -> new ConversationRules(java.util.Collections.nCopies(ConversationRules.MAX_PHRASES + 1, "a"), null, null, null));
    assertEquals("whisper-1", new ConversationRules.Transcription("https://stt.example/v1/audio/transcriptions", null, null, null).model());
    assertThrows(CalltrackException.Invalid.class,
        () -> new ConversationRules.Transcription("https://stt.example/x", "key with space", null, null));
    assertThrows(CalltrackException.Invalid.class,
        () -> new ConversationRules.Transcription("https://stt.example/x", null, null, "english"));
  }
}
