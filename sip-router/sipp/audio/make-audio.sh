#!/usr/bin/env bash
# Makes the two sides of the recorded test call (caller.al, line.al: raw G.711 A-law, 8 kHz, 10.5 s each),
# from speech synthesised by espeak-ng and converted by sox (Debian packages espeak-ng, sox). Run by hand;
# the files are committed, so the tests need neither tool. The tests wrap them into RTP pcaps for SIPp.
# The caller speaks from 0.5 s, the business line 1 s after the caller stops; speech.properties holds the
# lengths of speech (silence trimmed) the tests expect the measures to find.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us -s 150 -w "$tmp/caller.wav" "Hello I am calling about the garden offer I saw on your website"
espeak-ng -v en-gb -s 160 -w "$tmp/line.wav" "Thank you for calling Greenleaf gardens this is Sam speaking how can I help you today"
trim="silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse"
sox "$tmp/caller.wav" -r 8000 -c 1 -b 16 "$tmp/caller-8k.wav" $trim
sox "$tmp/line.wav" -r 8000 -c 1 -b 16 "$tmp/line-8k.wav" $trim
total=10.5
c=$(soxi -D "$tmp/caller-8k.wav")
l=$(soxi -D "$tmp/line-8k.wav")
lineStart=$(echo "0.5 + $c + 1.0" | bc -l)
sox "$tmp/caller-8k.wav" -e a-law -t raw caller.al pad 0.5 "$(echo "$total - 0.5 - $c" | bc -l)"
sox "$tmp/line-8k.wav" -e a-law -t raw line.al pad "$lineStart" "$(echo "$total - $lineStart - $l" | bc -l)"
printf 'seconds=%s\ncallerSpeech=%s\nlineSpeech=%s\n' "$total" "$c" "$l" > speech.properties
