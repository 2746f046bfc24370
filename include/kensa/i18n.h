/* The message catalogue: every user-facing sentence in Japanese and English.
 *
 * Messages are printf formats looked up by id; the language is chosen once per
 * process (--lang, else the locale: LC_ALL, LC_MESSAGES, LANG starting "ja"). */
#ifndef KENSA_I18N_H
#define KENSA_I18N_H

typedef enum ks_lang { KS_LANG_EN, KS_LANG_JA } ks_lang;

typedef enum ks_msg_id {
    KS_MSG_FILE_SUMMARY,   /* file, records, recovered, skipped, chunks, bad, crc, empty */
    KS_MSG_TOTAL_SUMMARY,  /* files, records, skipped, files failed */
    KS_MSG_PROBLEM_ERROR,  /* file, offset, chunk, what */
    KS_MSG_PROBLEM_WARN,   /* file, offset, chunk, what */
    KS_MSG_CANNOT_READ,    /* file, what */
    KS_MSG_PROGRESS,       /* file, percent, chunks done, chunks */
    KS_MSG_NOTHING_FOUND,  /* path */
    KS_MSG_UNKNOWN_OPTION, /* option */
    KS_MSG_SOURCE_SUMMARY, /* file, events, format, encoding, skipped, unrecognized, ignored */
    KS_MSG_EVENTS_SUMMARY, /* file, events, skipped */
    KS_MSG_ASSUMED,        /* file, what was assumed */
    KS_MSG_SKIPPED_FILE,   /* file, why */
    KS_MSG_PROBLEM_LINE,   /* file, line, what, excerpt */
    KS_MSG_MORE_PROBLEMS,  /* file, count */
    KS_MSG_XML_ONLY_EVTX,  /* file, format */
    /* the case: kensa ingest, kensa query */
    KS_MSG_INGEST_SUMMARY,   /* file, events, new, already in case, skipped, format, sha256 */
    KS_MSG_INGEST_ALREADY,   /* file, sha256 */
    KS_MSG_INGEST_RESUMED,   /* file */
    KS_MSG_INGEST_CHANGED,   /* file, sha256 before */
    KS_MSG_INGEST_PROGRESS,  /* file, percent, events */
    KS_MSG_INGEST_HASHING,   /* file, percent */
    KS_MSG_INGEST_TOTAL,     /* files, events, new, already, skipped, files failed */
    KS_MSG_CASE_TOTAL,       /* case, events, evidence files, incomplete */
    KS_MSG_CASE_CANNOT_OPEN, /* case, what */
    KS_MSG_QUERY_ERROR,      /* what */
    KS_MSG_QUERY_ROWS,       /* rows */
    /* kensa hunt */
    KS_MSG_HUNT_SUMMARY,  /* findings, events, files, files failed */
    KS_MSG_HUNT_DROPPED,  /* keys not tracked */
    KS_MSG_HUNT_BAD_SET,  /* what */
    KS_MSG_HUNT_HEADER,   /* zone of the times shown */
    KS_MSG_HUNT_EVIDENCE, /* events, list of file#record */
    KS_MSG_HUNT_SETUP,    /* what (a bad --set or --tz) */
    /* problems found in EVTX files (the arguments are those of the English text) */
    KS_MSG_EVTX_CHUNK_IO,
    KS_MSG_EVTX_CHUNK_CUT_HEADER,
    KS_MSG_EVTX_CHUNK_NO_SIGNATURE,
    KS_MSG_EVTX_CHUNK_HEADER_CRC,
    KS_MSG_EVTX_CHUNK_FREE_OFFSET,
    KS_MSG_EVTX_CHUNK_CUT,
    KS_MSG_EVTX_CHUNK_DATA_CRC,
    KS_MSG_EVTX_PAST_FREE,
    KS_MSG_EVTX_NO_RECORD_SIGNATURE,
    KS_MSG_EVTX_RECORD_CUT,
    KS_MSG_EVTX_RECORD_SIZE,
    KS_MSG_EVTX_RECORD_SIZE_COPY,
    KS_MSG_EVTX_RECORD_SKIPPED,
    KS_MSG_EVTX_RECORD_RECOVERED,
    KS_MSG_EVTX_HEADER_DAMAGED,
    KS_MSG_EVTX_HEADER_CRC,
    KS_MSG_EVTX_FILE_CUT,
    KS_MSG_COUNT
} ks_msg_id;

/* Choose the language from a name ("ja", "en", "ja_JP.UTF-8", ...); returns 0, or
 * -1 if the name is not a known language (the language is left unchanged). */
int ks_lang_set(const char *name);
/* The language from the environment's locale variables (default English). */
ks_lang ks_lang_from_env(void);
ks_lang ks_lang_get(void);
/* The format for id in the current language; never NULL. */
const char *ks_msg(ks_msg_id id);

#endif
