/* The syslog vendor parsers of SonicWall, Pulse Secure, OpenVPN, YAMAHA RTX and sshd on
 * synthetic lines: each case is handed to every one of these vendors, exactly the
 * expected one must claim it (near-misses and other vendors' lines: none), and its
 * semantic fields must be the expected ones. With "--shared" the program instead checks
 * the Pulse Secure lines of Elastic's pipeline test against their abridged expected
 * values, and the SonicWall sample, from ../shared/data (skipped when absent). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ingest/syslog.h"
#include "kensa/source.h"
#include "kensa/time.h"

static ks_source *src;

static const ks_syslog_vendor *const mine[] = {
    &ks_syslog_sonicwall, &ks_syslog_pulse, &ks_syslog_openvpn, &ks_syslog_yamaha, &ks_syslog_sshd};
#define NMINE (sizeof mine / sizeof mine[0])

/* A ks_source for the parsers' allocations: any text reader will do. */
static ks_source *open_source(void)
{
    static const ks_format formats[] = {KS_FORMAT_SYSLOG, KS_FORMAT_JSONL, KS_FORMAT_XML};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        ks_source *s = NULL;
        ks_diag d;
        ks_source_opts o = {0};
        o.format = formats[i];
        o.tz = "UTC";
        if (ks_source_open_mem(&s, "\n", 1, "unit", &o, &d) == KS_OK) return s;
    }
    return NULL;
}

static char linebuf[4096];

/* Frame by hand: "[HOST ][APP[PID]: ]MSG" in linebuf, the parts pointing into it. */
static ks_syslog_msg frame(const char *host, const char *app, const char *pid, const char *msg)
{
    ks_syslog_msg m;
    memset(&m, 0, sizeof m);
    m.pri = -1;
    size_t n = 0, cap = sizeof linebuf;
    if (host && *host) {
        m.host = (ks_str){linebuf + n, strlen(host)};
        n += (size_t)snprintf(linebuf + n, cap - n, "%s ", host);
    }
    if (app && *app) {
        m.app = (ks_str){linebuf + n, strlen(app)};
        n += (size_t)snprintf(linebuf + n, cap - n, "%s", app);
        if (pid && *pid) {
            m.procid = (ks_str){linebuf + n + 1, strlen(pid)};
            n += (size_t)snprintf(linebuf + n, cap - n, "[%s]", pid);
        }
        n += (size_t)snprintf(linebuf + n, cap - n, ": ");
    }
    m.msg = (ks_str){linebuf + n, strlen(msg)};
    n += (size_t)snprintf(linebuf + n, cap - n, "%s", msg);
    m.line = (ks_str){linebuf, n};
    return m;
}

static char strbuf[8][512];
static int strslot;

/* A ks_str as a C string (for CHECK_STR); NULL pointer -> "". */
static const char *z(ks_str s)
{
    char *b = strbuf[strslot++ % 8];
    size_t n = s.len < 511 ? s.len : 511;
    if (n) memcpy(b, s.p, n);
    b[n] = 0;
    return b;
}

static const char *field(const ks_event *ev, const char *name)
{
    const ks_field *f = ks_event_field(ev, name);
    if (!f) return "";
    return z((ks_str){(const char *)f->value.data, f->value.size});
}

static const char *outcome_name(ks_outcome o)
{
    return o == KS_OUTCOME_SUCCESS ? "success" : o == KS_OUTCOME_FAILURE ? "failure" : "";
}

typedef struct vcase {
    const char *vendor; /* the one expected to claim it, or NULL */
    const char *host, *app, *pid, *msg;
    const char *user, *src_ip, *action, *outcome;
    uint32_t event_id;
    const char *session;        /* NULL: not checked */
    const char *fname, *fvalue; /* a field to check, or NULL */
    const char *domain;         /* NULL: not checked */
} vcase;

/* A line nobody here may claim. */
#define MISS(host, app, pid, msg)                                                                  \
    {                                                                                              \
        NULL, host, app, pid, msg, "", "", "", "", 0, NULL, NULL, NULL, NULL                       \
    }

/* clang-format off */
static const vcase cases[] = {
    /* ---- SonicWall (SonicOS and SMA) ---- */
    {"sonicwall", "192.0.2.1", NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 10:00:07\" fw=203.0.113.1 pri=1 c=32 m=30 "
     "msg=\"Administrator login denied due to bad credentials\" n=7 src=198.51.100.5:36701:X1 "
     "dst=203.0.113.1:443:X1",
     "", "198.51.100.5", "admin_login", "failure", 30, NULL, "fw", "203.0.113.1", NULL},
    {"sonicwall", NULL, NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 10:01:00 UTC\" fw=203.0.113.1 pri=6 c=1024 "
     "m=1080 msg=\"SSL VPN zone remote user login allowed\" n=123 usr=\"alice\" "
     "src=198.51.100.7:51515:X1 dst=203.0.113.1:4433:X1 proto=tcp/4433",
     "alice", "198.51.100.7", "vpn_login", "success", 1080, NULL, "m", "1080", NULL},
    {"sonicwall", NULL, NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 10:02:00\" fw=203.0.113.1 pri=6 c=1024 m=29 "
     "msg=\"Administrator login allowed\" n=8 usr=\"admin\" src=192.168.1.20:50123:X0 "
     "dst=192.168.1.1:443:X0",
     "admin", "192.168.1.20", "admin_login", "success", 29, NULL, NULL, NULL, NULL},
    {"sonicwall", "sma", "SSLVPN", NULL,
     "id=sslvpn sn=0017C5000002 time=\"2024-05-01 10:00:00\" vp_time=\"2024-05-01 01:00:00 UTC\" "
     "fw=203.0.113.2 pri=4 m=1 c=1 src=198.51.100.8 dst=203.0.113.2 user=\"bob@LocalDomain\" "
     "usr=\"bob@LocalDomain\" msg=\"User login failed\" portal=\"VirtualOffice\" "
     "domain=\"LocalDomain\" agent=\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"",
     "bob", "198.51.100.8", "vpn_login", "failure", 1, NULL, "portal", "VirtualOffice",
     "LocalDomain"},
    {"sonicwall", "sma", "SSLVPN", NULL,
     "id=sslvpn sn=0017C5000002 time=\"2024-05-01 11:00:00\" fw=203.0.113.2 pri=5 m=2 c=2 "
     "src=198.51.100.8 dst=203.0.113.2 user=\"bob\" usr=\"bob\" msg=\"User logged out\" "
     "active=112 duration=3600 agent=\"\"",
     "bob", "198.51.100.8", "vpn_logout", "", 2, NULL, "duration", "3600", NULL},
    {"sonicwall", NULL, NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 12:00:00\" fw=203.0.113.1 pri=6 c=16 m=427 "
     "msg=\"IPsec Tunnel status changed\" n=55 src=198.51.100.9 dst=203.0.113.1 "
     "note=\"VPN Policy: Branch01; Tunnel Down\"",
     "", "198.51.100.9", "tunnel_down", "", 427, NULL, NULL, NULL, NULL},
    {"sonicwall", NULL, NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 12:00:01\" fw=203.0.113.1 pri=6 c=262144 "
     "m=98 msg=\"Connection Opened\" n=23419 src=198.51.100.10:36701:X1 "
     "dst=203.0.113.1:50000:X1 proto=tcp/50000 usr=\"Unknown (SSO failed)\"",
     "", "198.51.100.10", "traffic", "success", 98, NULL, "proto", "tcp/50000", NULL},
    {"sonicwall", NULL, NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 12:00:02\" fw=203.0.113.1 pri=6 c=512 m=1233 "
     "msg=\"Unhandled link-local or multicast IPv6 packet dropped\" n=5 "
     "srcV6=fe80::9851:b780:9d9d:a29e src=:49702:X0-V514 dstV6=ff02::1:3 dst=:5355",
     "", "fe80::9851:b780:9d9d:a29e", "traffic", "failure", 1233, NULL, NULL, NULL, NULL},
    {"sonicwall", NULL, NULL, NULL,
     "id=firewall sn=0017C5000001 time=\"2024-05-01 12:00:03\" fw=203.0.113.1 pri=6 c=0 m=438 "
     "msg=\"Locked-out user logins allowed - lockout period expired\" n=9 src=198.51.100.11",
     "", "198.51.100.11", "", "", 438, NULL, NULL, NULL, NULL},

    /* ---- Pulse Secure / Ivanti Connect Secure ---- */
    {"pulse", NULL, "PulseSecure", NULL,
     "id=firewall time=\"2024-05-01 09:00:00\" pri=6 fw=203.0.113.5 vpn=ive user=alice "
     "realm=\"Users\" roles=\"Staff\" proto=auth src=198.51.100.20 dst= dstname= type=vpn op= "
     "arg=\"\" result= sent= rcvd= agent=\"\" duration= msg=\"AUT24326: Primary authentication "
     "successful for alice/Users from 198.51.100.20\"",
     "alice", "198.51.100.20", "auth", "success", 24326, NULL, "msg_id", "AUT24326", NULL},
    {"pulse", NULL, "PulseSecure", NULL,
     "id=firewall time=\"2024-05-01 09:00:01\" pri=6 fw=203.0.113.5 vpn=ive user=alice "
     "realm=\"Users\" roles=\"Staff\" proto=auth src=198.51.100.20 dst= dstname= type=vpn op= "
     "arg=\"\" result= sent= rcvd= agent=\"\" duration= msg=\"AUT22673: Login succeeded for "
     "alice/Users (session:sid0123abcd) from 198.51.100.20.\"",
     "alice", "198.51.100.20", "vpn_login", "success", 22673, "sid0123abcd", "realm", "Users",
     NULL},
    {"pulse", "vpn1", "PulseSecure", NULL,
     "- - - 2024-05-01 09:05:00 - ive - [198.51.100.21] mallory(Users)[] - Primary "
     "authentication failed for mallory/Users from 198.51.100.21",
     "mallory", "198.51.100.21", "vpn_login", "failure", 0, "", "node", "ive", NULL},
    {"pulse", "vpn1", "PulseSecure", NULL,
     "- - - 2024-05-01 09:05:00 - ive - [198.51.100.21] mallory(Users)[] - Login failed. "
     "Reason: Wrong Password",
     "mallory", "198.51.100.21", "auth", "failure", 0, "", "reason", "Wrong Password", NULL},
    {"pulse", "vpn1", "PulseSecure", NULL,
     "- - - 2024-05-01 10:00:00 - ive - [198.51.100.20] alice(Users)[Staff] - Logout from "
     "198.51.100.20 (session:sid0123abcd)",
     "alice", "198.51.100.20", "vpn_logout", "", 0, "sid0123abcd", "roles", "Staff", NULL},
    {"pulse", "vpn1", "PulseSecure", NULL,
     "- - - 2024-05-01 10:00:00 - ive - [198.51.100.20] Default Network::alice(Users)[Staff]"
     "[5f934b7c31] - VPN Tunneling: Session ended for user (session: sid0123abcd) with IPv4 "
     "address 10.10.0.5",
     "alice", "198.51.100.20", "tunnel_down", "", 0, "sid0123abcd", "assigned_ip", "10.10.0.5",
     NULL},
    {"pulse", "vpn1", "PulseSecure", NULL,
     "- - - 2024-05-01 10:00:00 - ive - [198.51.100.20] Default Network::alice(Users)[Staff]"
     "[5f934b7c31] - Session:[5f934b7c31] for user:[alice] with roles:[Staff] deleted. "
     "Bandwidth consumed [61171] bytes",
     "alice", "198.51.100.20", "vpn_logout", "", 0, "5f934b7c31", "network", "Default Network",
     NULL},
    {"pulse", "vpn1", "Juniper", NULL,
     "2024-05-01 10:10:00 - ive - [198.51.100.22] admin@clinic.example(Admin Users)"
     "[.Administrators] - Login succeeded for admin@clinic.example/Admin Users (session:sidffff) "
     "from 198.51.100.22.",
     "admin", "198.51.100.22", "admin_login", "success", 0, "sidffff", "user",
     "admin@clinic.example", "clinic.example"},

    /* ---- OpenVPN ---- */
    {"openvpn", "vpn2", "openvpn", "4242",
     "203.0.113.50:51234 [alice] Peer Connection Initiated with [AF_INET]203.0.113.50:51234",
     "alice", "203.0.113.50", "vpn_login", "success", 0, "alice/203.0.113.50:51234", "port",
     "51234", NULL},
    {"openvpn", "vpn2", "openvpn", "4242",
     "203.0.113.51:40000 TLS Auth Error: Auth Username/Password verification failed for peer",
     "", "203.0.113.51", "vpn_login", "failure", 0, NULL, NULL, NULL, NULL},
    {"openvpn", "vpn2", "openvpn", "4242",
     "alice/203.0.113.50:51234 SIGTERM[soft,remote-exit] received, client-instance exiting",
     "alice", "203.0.113.50", "vpn_logout", "", 0, "alice/203.0.113.50:51234", NULL, NULL,
     NULL},
    {"openvpn", "vpn2", "openvpn", "4242",
     "alice/203.0.113.50:51234 MULTI: primary virtual IP for alice/203.0.113.50:51234: 10.8.0.6",
     "alice", "203.0.113.50", "", "", 0, NULL, "assigned_ip", "10.8.0.6", NULL},
    {"openvpn", "vpn2", "openvpn", "4242",
     "::ffff:203.0.113.52:1194 VERIFY ERROR: depth=0, error=certificate revoked: CN=bob",
     "bob", "203.0.113.52", "vpn_login", "failure", 0, NULL, "common_name", "bob", NULL},
    {"openvpn", "vpn2", "openvpn", NULL,
     "LDAP bind failed: Invalid credentials (80090308: LdapErr: DSID-0C09042A, comment: "
     "AcceptSecurityContext error, data 52e, v3839)",
     "", "", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"openvpn", "vpn2", "openvpn", NULL,
     "Incorrect password supplied for LDAP DN \"CN=Taro Yamada,OU=Clinic,DC=example,DC=jp\"",
     "Taro Yamada", "", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"openvpn", "vpn2", "ovpn-server", "77",
     "203.0.113.53:1194 TLS: Username/Password authentication succeeded for username 'carol'",
     "carol", "203.0.113.53", "auth", "success", 0, "carol/203.0.113.53:1194", NULL, NULL, NULL},

    /* ---- YAMAHA RTX ---- */
    {"yamaha-rtx", "192.168.100.1", NULL, NULL, "[L2TP] TUNNEL[1] connected from 198.51.100.70",
     "", "198.51.100.70", "tunnel_up", "success", 0, "TUNNEL[1]", "interface", "TUNNEL[1]", NULL},
    {"yamaha-rtx", "192.168.100.1", NULL, NULL, "PP[ANONYMOUS01] Call detected from user 'sato'",
     "sato", "", "auth", "", 0, "PP[ANONYMOUS01]", NULL, NULL, NULL},
    {"yamaha-rtx", "192.168.100.1", NULL, NULL,
     "PP[ANONYMOUS01] PPP/IPCP up  (Local: 192.168.100.1, Remote: 192.168.100.200)",
     "", "", "vpn_login", "success", 0, "PP[ANONYMOUS01]", "assigned_ip", "192.168.100.200",
     NULL},
    /* a framing that took "IP" for the host */
    {"yamaha-rtx", "IP", NULL, NULL, "Tunnel[3] Down",
     "", "", "tunnel_down", "", 0, "TUNNEL[3]", NULL, NULL, NULL},
    {"yamaha-rtx", "192.168.100.1", NULL, NULL, "IP Tunnel[1] Up",
     "", "", "tunnel_up", "", 0, "TUNNEL[1]", NULL, NULL, NULL},
    {"yamaha-rtx", "192.168.100.1", NULL, NULL, "Login succeeded for TELNET: 192.168.100.2",
     "", "192.168.100.2", "admin_login", "success", 0, NULL, "service", "TELNET", NULL},
    {"yamaha-rtx", NULL, NULL, NULL, "Login succeeded for Serial",
     "", "", "admin_login", "success", 0, NULL, "service", "Serial", NULL},
    {"yamaha-rtx", NULL, NULL, NULL, "Login failed for TELNET: 198.51.100.71",
     "", "198.51.100.71", "admin_login", "failure", 0, NULL, NULL, NULL, NULL},
    {"yamaha-rtx", NULL, NULL, NULL, "'administrator' succeeded for Serial user",
     "administrator", "", "auth", "success", 0, NULL, NULL, NULL, NULL},
    {"yamaha-rtx", NULL, NULL, NULL,
     "2015/04/17 14:41:29: [IKE] initiate ISAKMP phase to 203.0.113.2 (local address 192.168.1.1)",
     "", "203.0.113.2", "", "", 0, NULL, NULL, NULL, NULL},
    {"yamaha-rtx", NULL, NULL, NULL, "PP[01] PPP/IPCP up  (Local: None, Remote: 203.0.113.2)",
     "", "", "", "", 0, "PP[01]", NULL, NULL, NULL},
    {"yamaha-rtx", NULL, NULL, NULL, "[L2TP] TUNNEL[2] disconnected from 198.51.100.72",
     "", "198.51.100.72", "tunnel_down", "", 0, "TUNNEL[2]", NULL, NULL, NULL},

    /* fuzzing: a tunnel number too long for an int */
    {"yamaha-rtx", NULL, NULL, NULL, "[L2TP] TUNNEL[0333333333333333333333] connected from 1.2.3.4",
     "", "1.2.3.4", "tunnel_up", "success", 0, "TUNNEL[0333333333333333333333]", NULL, NULL, NULL},
    MISS(NULL, NULL, NULL, "IP Tunnel[0333333333333333333333] Up"),

    /* ---- sshd ---- */
    {"sshd", "jump1", "sshd", "2519",
     "Accepted password for alice from 198.51.100.30 port 52022 ssh2",
     "alice", "198.51.100.30", "auth", "success", 0, "2519", "method", "password", NULL},
    {"sshd", "jump1", "sshd", "2520",
     "Failed password for invalid user admin from 198.51.100.31 port 40022 ssh2",
     "admin", "198.51.100.31", "auth", "failure", 0, NULL, "invalid_user", "true", NULL},
    {"sshd", "jump1", "sshd", "2521", "Failed password for root from 198.51.100.32 port 40023 ssh2",
     "root", "198.51.100.32", "auth", "failure", 0, NULL, "port", "40023", NULL},
    {"sshd", "jump1", "sshd", "2522", "Invalid user oracle from 198.51.100.33 port 40024",
     "oracle", "198.51.100.33", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2523",
     "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=198.51.100.34  user=root",
     "root", "198.51.100.34", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2519", "Disconnected from user alice 198.51.100.30 port 52022",
     "alice", "198.51.100.30", "", "", 0, "2519", NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2524", "Failed none for invalid user guest from 198.51.100.35 port 22 ssh2",
     "guest", "198.51.100.35", "", "", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2525",
     "error: maximum authentication attempts exceeded for root from 198.51.100.36 port 40025 "
     "ssh2 [preauth]",
     "root", "198.51.100.36", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2526",
     "User root from 198.51.100.37 not allowed because not listed in AllowUsers",
     "root", "198.51.100.37", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd-session", "2527",
     "Connection closed by authenticating user root 198.51.100.38 port 40026 [preauth]",
     "root", "198.51.100.38", "", "", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", NULL, NULL,
     "sshd[2528]: Accepted publickey for bob from 2001:db8::7 port 40027 ssh2: ED25519 "
     "SHA256:abc from x",
     "bob", "2001:db8::7", "auth", "success", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2529", "Received disconnect from 198.51.100.39 port 40028:11: bye",
     "", "198.51.100.39", "", "", 0, NULL, NULL, NULL, NULL},

    /* fuzzing: "User" right before " not allowed because" (no name) */
    {"sshd", "jump1", "sshd", "2533", "User not allowed because PP",
     "", "", "", "", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2534",
     "error: maximum authentication attempts exceeded for root from 198.51.100.x port 1 ssh2",
     "root", "", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2535",
     "subsystem request for netconf by user checker failed, subsystem not found",
     "checker", "", "", "", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2536",
     "reverse mapping checking getaddrinfo for host.example [198.51.100.43] failed - POSSIBLE "
     "BREAK-IN ATTEMPT!",
     "", "198.51.100.43", "", "", 0, NULL, NULL, NULL, NULL},
    /* a user called "user" (Wazuh's sshd samples) is a name, not a qualifier */
    {"sshd", "jump1", "sshd", "2530", "Invalid user user from 198.51.100.40",
     "user", "198.51.100.40", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2531", "Failed password for user from 198.51.100.41 port 43042 ssh2",
     "user", "198.51.100.41", "auth", "failure", 0, NULL, NULL, NULL, NULL},
    {"sshd", "jump1", "sshd", "2532", "Disconnected from user user 198.51.100.42 port 43042",
     "user", "198.51.100.42", "", "", 0, NULL, NULL, NULL, NULL},

    /* ---- near-misses and other vendors' lines: nobody here claims them ---- */
    MISS(NULL, NULL, NULL,
     "date=2024-05-01 time=10:00:00 devname=\"FGT60F\" devid=\"FGT60FTK0000000\" "
     "logid=\"0100032002\" type=\"event\" subtype=\"system\" level=\"alert\" vd=\"root\" sn=0 "
     "user=\"admin\" srcip=198.51.100.10 action=\"login\" status=\"failed\" "
     "msg=\"Administrator admin login failed from ssh(198.51.100.10) because of invalid password\""),
    MISS("fw1", NULL, NULL,
     "%ASA-6-113005: AAA user authentication Rejected : reason = Invalid password : server = "
     "10.1.1.1 : user = bob : user IP = 198.51.100.40"),
    MISS(NULL, NULL, NULL,
     "1,2024/05/01 10:00:00,012345678901,GLOBALPROTECT,0,2561,2024/05/01 10:00:00,vsys1,"
     "gateway-auth,login,,,,bob,JP,pc01,198.51.100.41,0.0.0.0,,,,,success"),
    MISS("host1", "login", NULL, "Login succeeded for user bob"),
    MISS("host1", "sshd-keygen", NULL, "Accepted password for alice from 198.51.100.30 port 1"),
    MISS("host1", "nginx", NULL,
     "203.0.113.50:51234 [alice] Peer Connection Initiated with [AF_INET]203.0.113.50:51234"),
    MISS("host1", "cron", "99", "2024-05-01 09:00:00 - backup - [done] job(ok) - finished"),
    MISS("host1", "app", NULL, "id=42 user=bob msg=\"saved\" vpn=none"),
    MISS(NULL, NULL, NULL, "PP lost carrier"),
    MISS(NULL, NULL, NULL, ""),
};
/* clang-format on */

static void check_case(size_t ci, const vcase *c)
{
    ks_syslog_msg m = frame(c->host, c->app, c->pid, c->msg);
    int claimed = -1, nclaims = 0;
    ks_event keep;
    memset(&keep, 0, sizeof keep);
    for (size_t v = 0; v < NMINE; v++) {
        ks_event ev;
        memset(&ev, 0, sizeof ev);
        ev.sem.logon_type = -1;
        ev.host = m.host; /* as syslog.c sets it before asking the vendors */
        if (mine[v]->parse(src, &m, &ev)) {
            nclaims++;
            if (claimed < 0) claimed = (int)v, keep = ev;
        }
    }
    const char *who = claimed >= 0 ? mine[claimed]->name : "(none)";
    if (strcmp(who, c->vendor ? c->vendor : "(none)") != 0 || nclaims > (c->vendor ? 1 : 0))
        fprintf(stderr, "case %zu (%.60s): claimed by %s (%d claims)\n", ci, c->msg, who, nclaims);
    CHECK_STR(who, c->vendor ? c->vendor : "(none)");
    CHECK_INT(nclaims, c->vendor ? 1 : 0);
    if (claimed < 0 || !c->vendor) return;
    const ks_event *ev = &keep;
    int before = ks_t_fail;
    CHECK_STR(z(ev->provider), c->vendor);
    CHECK_STR(z(ev->sem.user), c->user);
    CHECK_STR(z(ev->sem.src_ip), c->src_ip);
    CHECK_STR(z(ev->sem.action), c->action);
    CHECK_STR(outcome_name(ev->sem.outcome), c->outcome);
    CHECK_INT(ev->event_id, c->event_id);
    if (c->session) CHECK_STR(z(ev->sem.session), c->session);
    if (c->fname) CHECK_STR(field(ev, c->fname), c->fvalue);
    if (c->domain) CHECK_STR(z(ev->sem.domain), c->domain);
    /* a YAMAHA line without a host name: the word the framing took is not the host */
    if (c->host && !strcmp(c->host, "IP")) CHECK_STR(z(ev->host), "");
    for (size_t i = 0; i < ev->nfields; i++) { /* every field is named UTF-8 text */
        CHECK(ev->fields[i].name.len > 0);
        CHECK(ev->fields[i].value.type == KS_VT_UTF8);
    }
    if (ks_t_fail != before) fprintf(stderr, "  ^ in case %zu: %.70s\n", ci, c->msg);
}

/* Times the vendors carry themselves. */
static void check_times(void)
{
    /* SonicWall time="... UTC" is exact */
    ks_syslog_msg m = frame(NULL, NULL, NULL, cases[1].msg);
    ks_event ev;
    memset(&ev, 0, sizeof ev);
    CHECK(ks_syslog_sonicwall.parse(src, &m, &ev));
    CHECK_INT(ev.time_ns,
              (ks_days_from_civil(2024, 5, 1) * 86400 + 10 * 3600 + 60) * (int64_t)1000000000);
    /* YAMAHA "show log" time, local (the source's zone is UTC here), only when the
     * header had none */
    m = frame(NULL, NULL, NULL, "2015/04/17 14:41:29: [IKE] respond ISAKMP phase to 203.0.113.2");
    memset(&ev, 0, sizeof ev);
    CHECK(ks_syslog_yamaha.parse(src, &m, &ev));
    CHECK_INT(ev.time_ns, (ks_days_from_civil(2015, 4, 17) * 86400 + 14 * 3600 + 41 * 60 + 29) *
                              (int64_t)1000000000);
    m.time_ns = 1;
    memset(&ev, 0, sizeof ev);
    CHECK(ks_syslog_yamaha.parse(src, &m, &ev));
    CHECK_INT(ev.time_ns, 0);
    /* implausible device times are not used (fuzzing: year 231 overflowed the zone
     * conversion); the line is still read */
    m = frame(NULL, "PulseSecure", NULL,
              "- - - 0231-03-03 17:21:09 - ive - [198.51.100.20] alice(Users)[] - Login failed. "
              "Reason: Failed");
    memset(&ev, 0, sizeof ev);
    CHECK(ks_syslog_pulse.parse(src, &m, &ev));
    CHECK_INT(ev.time_ns, 0);
    CHECK_STR(z(ev.sem.user), "alice");
    m = frame(NULL, "PulseSecure", NULL,
              "- - - 20231-03-03 17:21:09 - ive - [198.51.100.20] alice(Users)[] - Login failed");
    memset(&ev, 0, sizeof ev);
    CHECK(!ks_syslog_pulse.parse(src, &m, &ev)); /* no date starts inside a number */
    m = frame(NULL, NULL, NULL,
              "id=firewall sn=0017C5000001 time=\"9999-12-31 23:59:59\" fw=203.0.113.1 pri=6 m=98 "
              "msg=\"Connection Opened\" src=198.51.100.10:1:X1");
    memset(&ev, 0, sizeof ev);
    CHECK(ks_syslog_sonicwall.parse(src, &m, &ev));
    CHECK_INT(ev.time_ns, 0);
    m = frame(NULL, NULL, NULL, "9999/12/31 23:59:59: IP Tunnel[1] Up");
    memset(&ev, 0, sizeof ev);
    CHECK(ks_syslog_yamaha.parse(src, &m, &ev));
    CHECK_INT(ev.time_ns, 0);
}

/* Hostile text: every prefix of every case, and some junk, must not crash or overrun
 * (run under ASan). */
static void check_truncations(void)
{
    static char buf[4096];
    size_t runs = 0;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        size_t n = strlen(cases[ci].msg);
        for (size_t cut = 0; cut <= n; cut++) {
            memcpy(buf, cases[ci].msg, cut);
            buf[cut] = 0;
            ks_syslog_msg m = frame(cases[ci].host, cases[ci].app, cases[ci].pid, buf);
            /* the message exactly as long as the cut: no terminator to lean on */
            m.line.len = (size_t)(m.msg.p - m.line.p) + cut;
            for (size_t v = 0; v < NMINE; v++) {
                ks_event ev;
                memset(&ev, 0, sizeof ev);
                (void)mine[v]->parse(src, &m, &ev);
                runs++;
            }
        }
    }
    CHECK(runs > 1000);
}

/* ---- the shared data (--shared) ------------------------------------------------- */

/* The string value of "key" in one JSON object line, or NULL (no escapes in these). */
static const char *json_str(const char *line, const char *key)
{
    static char out[16][256];
    static int slot;
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(line, pat);
    if (!p) return NULL;
    p += strlen(pat);
    const char *e = strchr(p, '"');
    if (!e || e - p >= 255) return NULL;
    char *o = out[slot++ % 16];
    memcpy(o, p, (size_t)(e - p));
    o[e - p] = 0;
    return o;
}

/* Our reading of the 14 lines (Elastic does not set an action; outcome where it does
 * not either): what each line is. */
static const char *const pulse_actions[14] = {
    "auth", "vpn_login", "tunnel_up",   "",           "", "auth", "vpn_login",
    "auth", "",          "tunnel_down", "vpn_logout", "", "",     "vpn_logout"};

static int check_shared(void)
{
    const char *dir = ks_test_data_dir();
    char path[1024];
    snprintf(path, sizeof path, "%s/syslog/elastic-integrations/pulse_connect_secure/log/%s", dir,
             "test-log-vpn.log");
    size_t nlog = 0, nexp = 0;
    char *log = (char *)ks_test_slurp(path, &nlog);
    snprintf(path, sizeof path,
             "%s/syslog/elastic-integrations/pulse_connect_secure/log/"
             "test-log-vpn.log-expected.abridged.jsonl",
             dir);
    char *exp = (char *)ks_test_slurp(path, &nexp);
    CHECK(log && exp);
    if (!log || !exp) return ks_test_done();
    char *lines[64], *exps[64];
    size_t nl = 0, ne = 0;
    for (char *p = log, *e = log + nlog; p < e && nl < 64;) {
        char *nlp = memchr(p, '\n', (size_t)(e - p));
        size_t len = nlp ? (size_t)(nlp - p) : (size_t)(e - p);
        char *l = malloc(len + 1);
        memcpy(l, p, len);
        l[len] = 0;
        lines[nl++] = l;
        p = nlp ? nlp + 1 : e;
    }
    /* the expected file: one object per line */
    for (char *p = exp, *e = exp + nexp; p < e && ne < 64;) {
        char *nlp = memchr(p, '\n', (size_t)(e - p));
        if (nlp) *nlp = 0;
        if (*p) exps[ne++] = p;
        p = nlp ? nlp + 1 : e;
    }
    CHECK_INT(nl, 25);
    CHECK_INT(ne, 14);
    size_t claimed = 0, checked = 0;
    for (size_t i = 0; i < nl; i++) {
        const char *tag = strstr(lines[i], "PulseSecure: ");
        CHECK(tag != NULL);
        if (!tag) continue;
        ks_syslog_msg m = frame(NULL, "PulseSecure", NULL, tag + 13); /* the msg part */
        ks_event ev;
        memset(&ev, 0, sizeof ev);
        bool ok = ks_syslog_pulse.parse(src, &m, &ev);
        CHECK(ok);
        claimed += ok;
        for (size_t v = 0; v < NMINE; v++) /* and no other vendor of ours */
            if (mine[v] != &ks_syslog_pulse) {
                ks_event other;
                memset(&other, 0, sizeof other);
                CHECK(!mine[v]->parse(src, &m, &other));
            }
        CHECK(ev.sem.src_ip.len > 0); /* [89.160.20.156], or [127.0.0.1] for System */
        if (i >= ne) continue;
        const char *x = exps[i];
        int before = ks_t_fail;
        const char *u = json_str(x, "user.name"), *ip = json_str(x, "source.ip");
        const char *out = json_str(x, "event.outcome"),
                   *sid = json_str(x, "pulse_secure.session.id");
        const char *realm = json_str(x, "pulse_secure.realm"),
                   *role = json_str(x, "pulse_secure.role");
        const char *dom = json_str(x, "user.domain"), *nat = json_str(x, "source.nat.ip");
        const char *hn = json_str(x, "host.name"), *sess = json_str(x, "pulse_secure.session");
        CHECK(u && ip);
        if (u) CHECK_STR(z(ev.sem.user), u);
        if (ip) CHECK_STR(z(ev.sem.src_ip), ip);
        if (out) CHECK_STR(outcome_name(ev.sem.outcome), out);
        if (sid) CHECK_STR(z(ev.sem.session), sid);
        if (realm) CHECK_STR(field(&ev, "realm"), realm);
        if (role) CHECK_STR(field(&ev, "roles"), role);
        if (dom) CHECK_STR(z(ev.sem.domain), dom);
        if (nat) CHECK_STR(field(&ev, "assigned_ip"), nat);
        if (hn) CHECK_STR(z(ev.sem.src_host), hn);
        if (sess) CHECK_STR(field(&ev, "session"), sess);
        CHECK_STR(z(ev.sem.action), pulse_actions[i]);
        checked++;
        if (ks_t_fail != before) fprintf(stderr, "  ^ Pulse line %zu\n", i + 1);
    }
    CHECK_INT(claimed, 25);
    CHECK_INT(checked, 14);
    printf("pulse: %zu/%zu lines claimed, %zu/14 checked against the abridged expected values\n",
           claimed, nl, checked);
    for (size_t i = 0; i < nl; i++) free(lines[i]);
    free(log);
    free(exp);

    /* SonicWall: every line of the sample is SonicWall's; the two "Administrator login
     * denied" lines are admin login failures from 216.160.83.57 */
    snprintf(path, sizeof path, "%s/syslog/elastic-integrations/sonicwall_firewall/log/%s", dir,
             "test-general.log");
    size_t nsw = 0;
    char *sw = (char *)ks_test_slurp(path, &nsw);
    CHECK(sw != NULL);
    size_t swl = 0, swc = 0, admin_fail = 0;
    for (char *p = sw, *e = sw ? sw + nsw : NULL; p && p < e;) {
        char *nlp = memchr(p, '\n', (size_t)(e - p));
        size_t len = nlp ? (size_t)(nlp - p) : (size_t)(e - p);
        if (len) {
            ks_syslog_msg m;
            memset(&m, 0, sizeof m);
            m.line = m.msg = (ks_str){p, len}; /* framing is syslog.c's: the whole line */
            ks_event ev;
            memset(&ev, 0, sizeof ev);
            swl++;
            if (ks_syslog_sonicwall.parse(src, &m, &ev)) {
                swc++;
                if (!strcmp(z(ev.sem.action), "admin_login") &&
                    ev.sem.outcome == KS_OUTCOME_FAILURE &&
                    !strcmp(z(ev.sem.src_ip), "216.160.83.57") && ev.event_id == 30)
                    admin_fail++;
            }
        }
        p = nlp ? nlp + 1 : e;
    }
    CHECK_INT(swl, 38);
    CHECK_INT(swc, 38);
    CHECK_INT(admin_fail, 2);
    printf("sonicwall: %zu/%zu lines claimed, %zu admin login failures\n", swc, swl, admin_fail);
    free(sw);
    return ks_test_done();
}

int main(int argc, char **argv)
{
    src = open_source();
    CHECK(src != NULL);
    if (!src) return ks_test_done();
    int rc;
    if (argc > 1 && !strcmp(argv[1], "--shared")) {
        rc = check_shared();
    } else {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(i, &cases[i]);
        check_times();
        check_truncations();
        rc = ks_test_done();
    }
    ks_source_close(&src);
    return rc;
}
