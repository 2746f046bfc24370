/* The table of built-in detectors, in the order their findings are usually read:
 * the way in (brute force, logons), then what the intruder did. Adding a detector
 * means adding its file and one line here. */
#include "detect/detect.h"

extern const ks_detector_def ks_detector_brute_force, ks_detector_password_spray,
    ks_detector_logon_after_failures, ks_detector_rdp_logon, ks_detector_log_cleared,
    ks_detector_eventlog_tampering, ks_detector_service_install, ks_detector_scheduled_task,
    ks_detector_account_manipulation, ks_detector_shadow_copy_deletion,
    ks_detector_remote_access_tool, ks_detector_off_duty_logon, ks_detector_credential_dumping,
    ks_detector_attacker_tool, ks_detector_defense_impairment, ks_detector_anti_forensics,
    ks_detector_vpn_new_source, ks_detector_share_enumeration, ks_detector_smb1_use,
    ks_detector_long_session, ks_detector_vpn_foreign, ks_detector_ransomware_execution,
    ks_detector_rdp_config_change, ks_detector_policy_violation, ks_detector_usb_storage;

const ks_detector_def *const ks_detectors[] = {
    &ks_detector_brute_force,          &ks_detector_password_spray,
    &ks_detector_logon_after_failures, &ks_detector_rdp_logon,
    &ks_detector_off_duty_logon,       &ks_detector_vpn_foreign,
    &ks_detector_vpn_new_source,       &ks_detector_policy_violation,
    &ks_detector_usb_storage,          &ks_detector_long_session,
    &ks_detector_share_enumeration,    &ks_detector_smb1_use,
    &ks_detector_log_cleared,          &ks_detector_eventlog_tampering,
    &ks_detector_service_install,      &ks_detector_scheduled_task,
    &ks_detector_account_manipulation, &ks_detector_shadow_copy_deletion,
    &ks_detector_credential_dumping,   &ks_detector_remote_access_tool,
    &ks_detector_attacker_tool,        &ks_detector_defense_impairment,
    &ks_detector_anti_forensics,       &ks_detector_rdp_config_change,
    &ks_detector_ransomware_execution,
};

const size_t ks_ndetectors = sizeof ks_detectors / sizeof ks_detectors[0];
