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
    KS_MSG_CASE_FINDINGS,    /* findings, tool, case */
    KS_MSG_CASE_NO_ESTIMATE, /* case */
    /* kensa hunt */
    KS_MSG_HUNT_SUMMARY,  /* findings, events, files, files failed */
    KS_MSG_HUNT_DROPPED,  /* keys not tracked */
    KS_MSG_HUNT_BAD_SET,  /* what */
    KS_MSG_HUNT_HEADER,   /* zone of the times shown */
    KS_MSG_HUNT_EVIDENCE, /* events, list of file#record */
    KS_MSG_HUNT_SETUP,    /* what (a bad --set or --tz) */
    KS_MSG_HUNT_SPILL,    /* folder, what */
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
    /* the sealed archive: kensa seal, verify, prove, verify-proof */
    KS_MSG_SEAL_CREATED,   /* archive, printable archive key, archive (archive-key.pub) */
    KS_MSG_SEAL_SUMMARY,   /* files, records, days, first day, last day, late, untimed */
    KS_MSG_SEAL_NOTHING,   /* archive */
    KS_MSG_SEAL_FAILED,    /* what */
    KS_MSG_SEAL_BAD_KEY,   /* text given */
    KS_MSG_SEAL_OLD_KEY,   /* text given (a ks1- key) */
    KS_MSG_VERIFY_INTACT,  /* days, first day, last day, empty days, records, files, MB */
    KS_MSG_VERIFY_DAMAGED, /* day, what */
    KS_MSG_VERIFY_RANGE,   /* first record, last record */
    KS_MSG_VERIFY_FILE,    /* original file */
    KS_MSG_VERIFY_BEFORE,  /* days intact before it */
    KS_MSG_PROOF_WRITTEN,  /* day, index, bytes of the inclusion part, of the checkpoint */
    KS_MSG_PROOF_OK,       /* day, index, record id, file number, offset, size, content hash */
    KS_MSG_PROOF_BAD,      /* what */
    /* kensa backup */
    KS_MSG_BACKUP_GENERATION,  /* path, files, MB, verdict word, reason (English) */
    KS_MSG_BACKUP_CHANGES,     /* files before, added, deleted, modified, renamed, percent */
    KS_MSG_BACKUP_CLEAN_FILES, /* files clean and not listed */
    KS_MSG_BACKUP_HEADER,      /* (table header, no arguments) */
    KS_MSG_BACKUP_CANNOT_SCAN, /* path, what */
    KS_MSG_BACKUP_G_CLEAN,     /* the generation verdicts as words */
    KS_MSG_BACKUP_G_SUSPICIOUS,
    KS_MSG_BACKUP_G_ENCRYPTED,
    KS_MSG_BACKUP_RESTORE,        /* system, generation, taken (UTC), margin hours */
    KS_MSG_BACKUP_NO_RESTORE,     /* system, margin hours, intrusion (UTC) */
    KS_MSG_BACKUP_FIRST_BAD,      /* generation, taken (UTC), verdict word, reason */
    KS_MSG_BACKUP_DIFF,           /* from, to, added, removed, modified, encrypted */
    KS_MSG_BACKUP_POLICY_OK,      /* system, generations, daily, weekly, monthly, offline */
    KS_MSG_BACKUP_POLICY_MISSING, /* system, generations, what is missing (English) */
    KS_MSG_BACKUP_ALREADY,        /* path, system, taken (UTC) */
    /* kensa investigate */
    KS_MSG_INV_FOUND,     /* local time, zone, account, source, host, confidence word */
    KS_MSG_INV_ATTEMPT,   /* local time of the first attempt */
    KS_MSG_INV_NONE,      /* findings */
    KS_MSG_INV_EARLIER,   /* why (English) */
    KS_MSG_INV_CHAIN,     /* chain number, account, source, host, steps, stages */
    KS_MSG_INV_READ,      /* files, events, findings, chains, files failed */
    KS_MSG_INV_WROTE,     /* folder */
    KS_MSG_INV_PROGRESS,  /* pass, file number, files, file */
    KS_MSG_INV_SITE,      /* what (a bad site file) */
    KS_MSG_INV_CONF_HIGH, /* the confidence words */
    KS_MSG_INV_CONF_MEDIUM,
    KS_MSG_INV_CONF_LOW,
    KS_MSG_INV_SIGN,     /* local time, zone, host, what: the earliest sign, no entry */
    KS_MSG_INV_CLEARED,  /* log, host, local time, by whom */
    KS_MSG_INV_LATE_LOG, /* log, host, local time of its first event */
    KS_MSG_INV_MORE,     /* count of further lines (see report.html) */
    KS_MSG_INV_ALLOWED,  /* (appended to a finding's explanation) */
    KS_MSG_INV_ST_ENTRY, /* the stage names, in ks_stage order */
    KS_MSG_INV_ST_SPREAD,
    KS_MSG_INV_ST_PERSISTENCE,
    KS_MSG_INV_ST_EVASION,
    KS_MSG_INV_ST_IMPACT,
    /* kensa audit */
    KS_MSG_AUDIT_HOST,      /* host, role (or "-"), exports read */
    KS_MSG_AUDIT_COL_CHECK, /* the table's column names */
    KS_MSG_AUDIT_COL_SEVERITY,
    KS_MSG_AUDIT_COL_RESULT,
    KS_MSG_AUDIT_COL_SEEN,
    KS_MSG_AUDIT_PASS, /* the result words */
    KS_MSG_AUDIT_FAIL,
    KS_MSG_AUDIT_NOT_CHECKED,
    KS_MSG_AUDIT_NOT_APPLICABLE,
    KS_MSG_AUDIT_EXPORT_PARTIAL, /* file, kind, first problem, problems */
    KS_MSG_AUDIT_EXPORT_FAILED,  /* file, why */
    KS_MSG_AUDIT_SUMMARY, /* hosts, passed, failed, high failed, not checked, not applicable */
    KS_MSG_AUDIT_HIGH,    /* failed checks of high severity */
    KS_MSG_AUDIT_ALL_HIGH_PASS, /* (no arguments) */
    KS_MSG_AUDIT_WROTE,         /* folder, folder */
    KS_MSG_AUDIT_NO_HOSTS,      /* (no arguments) */
    KS_MSG_AUDIT_FAILED,        /* what */
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
