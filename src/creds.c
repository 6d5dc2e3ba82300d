/* creds.c - the AWS CLI's credential chain: environment, profiles, roles,
 * SSO, credential_process, containers and EC2 instance metadata.
 *
 * Every provider either gives credentials, says why it does not apply (a
 * line of the final message), or fails although it is configured, which
 * ends the chain as it does in botocore.  HTTP goes through http_fetch
 * (blocking, short timeouts); JSON through json-in.  Secrets live only in
 * struct aws_creds and in buffers that are wiped after use.
 */
#include "config.h"

#include "xraytop/creds.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xraytop/http.h"
#include "xraytop/json-in.h"
#include "xraytop/log.h"
#include "xraytop/region.h"
#include "xraytop/xmalloc.h"

#define IMDS_TIMEOUT		1.0
#define CONTAINER_TIMEOUT	2.0
#define STS_TIMEOUT		10.0
#define PROCESS_TIMEOUT		60      /* seconds a credential_process may take */
#define MAX_ROLE_DEPTH		5       /* source_profile chains */
#define PROCESS_OUTPUT_MAX	65536

/* ---------------------------------------------------------------- SHA-1 */

struct sha1 {
	uint32_t	 h[5];
	uint64_t	 len;
	unsigned char	 buf[64];
	size_t		 nbuf;
};

static uint32_t
rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol(b, 30); b = a; a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e;
}

static void
sha1_update(struct sha1 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	while (n > 0) {
		size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;

		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take;
		p += take;
		n -= take;
		if (s->nbuf == 64) {
			sha1_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

void
creds_sha1_hex(const char *str, char out[41])
{
	struct sha1 s = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 }, 0, { 0 }, 0 };
	unsigned char pad[72];
	uint64_t bits;
	size_t npad, i;

	sha1_update(&s, str, strlen(str));
	bits = s.len * 8;
	npad = (s.nbuf < 56 ? 56 : 120) - s.nbuf;
	memset(pad, 0, sizeof pad);
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(&s, pad, npad + 8);
	for (i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned)(s.h[i / 4] >> (24 - 8 * (i % 4))) & 0xff);
}

/* ---------------------------------------------------------------- files */

/* The file named by env, else ~/REL; "" when there is no home. */
static void
aws_path(const char *env, const char *rel, char *out, size_t outlen)
{
	const char *v = getenv(env), *home = getenv("HOME");

	if (v != NULL && *v != '\0') {
		if (v[0] == '~' && v[1] == '/' && home != NULL)
			snprintf(out, outlen, "%s%s", home, v + 1);
		else
			snprintf(out, outlen, "%s", v);
	} else if (home != NULL && *home != '\0')
		snprintf(out, outlen, "%s/%s", home, rel);
	else
		out[0] = '\0';
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*e = '\0';
	return s;
}

/* Look key up in section of the INI file path.  Returns 1 (value in out),
 * 0 when absent, -1 when the file does not exist; *has_section says
 * whether the section was seen.  Keys compare without case, as botocore's
 * parser lower-cases them; indented lines continue the previous key. */
static int
ini_get(const char *path, const char *section, const char *key, char *out, size_t outlen,
    int *has_section)
{
	char line[8192], *p, *eq;
	int in = 0, found = 0, any = 0;
	FILE *f;

	if (has_section != NULL)
		*has_section = 0;
	if (path[0] == '\0' || (f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if ((line[0] == ' ' || line[0] == '\t') && any)
			continue;   /* a nested sub-key (e.g. under "s3 =") */
		p = trim(line);
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			char *end = strchr(p, ']');

			any = 0;
			if (end == NULL)
				continue;
			*end = '\0';
			in = strcmp(trim(p + 1), section) == 0;
			if (in && has_section != NULL)
				*has_section = 1;
			continue;
		}
		any = 1;
		if (!in || (eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcasecmp(trim(p), key) != 0)
			continue;
		snprintf(out, outlen, "%s", trim(eq + 1));
		found = 1;   /* the last one wins, as in configparser */
	}
	http_wipe(line, sizeof line);
	fclose(f);
	return found;
}

/* The config file's section for a profile. */
static void
config_section(const char *profile, char *out, size_t outlen)
{
	if (strcmp(profile, "default") == 0)
		snprintf(out, outlen, "default");
	else if (strncmp(profile, "sso-session ", 12) == 0 || strncmp(profile, "services ", 9) == 0)
		snprintf(out, outlen, "%s", profile);
	else
		snprintf(out, outlen, "profile %s", profile);
}

int
creds_config_get(const char *profile, const char *key, char *out, size_t outlen)
{
	char path[PATH_MAX], section[256];
	int rc;

	aws_path("AWS_CONFIG_FILE", ".aws/config", path, sizeof path);
	config_section(profile, section, sizeof section);
	rc = ini_get(path, section, key, out, outlen, NULL);
	if (rc == 0 && strcmp(profile, "default") == 0)
		rc = ini_get(path, "profile default", key, out, outlen, NULL);
	return rc < 0 ? 0 : rc;
}

/* A key from the shared credentials file's [profile] section. */
static int
credfile_get(const char *profile, const char *key, char *out, size_t outlen)
{
	char path[PATH_MAX];
	int rc;

	aws_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", path, sizeof path);
	rc = ini_get(path, profile, key, out, outlen, NULL);
	return rc < 0 ? 0 : rc;
}

/* Whether either file has a section for the profile. */
static int
profile_exists(const char *profile)
{
	char path[PATH_MAX], section[256], dummy[8];
	int has = 0;

	aws_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", path, sizeof path);
	ini_get(path, profile, "-", dummy, sizeof dummy, &has);
	if (has)
		return 1;
	aws_path("AWS_CONFIG_FILE", ".aws/config", path, sizeof path);
	config_section(profile, section, sizeof section);
	ini_get(path, section, "-", dummy, sizeof dummy, &has);
	if (!has && strcmp(profile, "default") == 0)
		ini_get(path, "profile default", "-", dummy, sizeof dummy, &has);
	return has;
}

const char *
creds_profile(const char *given)
{
	const char *p;

	if (given != NULL && *given != '\0')
		return given;
	if ((p = getenv("AWS_PROFILE")) != NULL && *p != '\0')
		return p;
	if ((p = getenv("AWS_DEFAULT_PROFILE")) != NULL && *p != '\0')
		return p;
	return "default";
}

/* ---------------------------------------------------------------- the chain */

struct chain {
	const struct creds_opts *o;
	const char	*profile;
	char		 tried[3072];
	size_t		 len;
	int		 depth;
};

/* Add "  NAME: reason" to the story of what was tried. */
static void __attribute__((format(printf, 3, 4)))
tried(struct chain *c, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->len >= sizeof c->tried - 1)
		return;
	n = snprintf(c->tried + c->len, sizeof c->tried - c->len, "  %s: ", name);
	if (n > 0)
		c->len = c->len + (size_t)n < sizeof c->tried ? c->len + (size_t)n : sizeof c->tried - 1;
	va_start(ap, fmt);
	n = vsnprintf(c->tried + c->len, sizeof c->tried - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len = c->len + (size_t)n < sizeof c->tried ? c->len + (size_t)n : sizeof c->tried - 1;
	if (c->len < sizeof c->tried - 1) {
		c->tried[c->len++] = '\n';
		c->tried[c->len] = '\0';
	}
}

/* Copy a secret into a fixed field; -1 when it does not fit. */
static int
put(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* Fill out from a decoded document; -1 with a reason when incomplete. */
static int
from_doc(struct aws_creds *out, const struct json_creds *d, int need_token, char *why, size_t whylen)
{
	if (d->truncated) {
		snprintf(why, whylen, "a value is longer than expected");
		return -1;
	}
	if (d->access_key[0] == '\0' || d->secret_key[0] == '\0') {
		snprintf(why, whylen, "the answer has no %s", d->access_key[0] == '\0' ?
		    "AccessKeyId" : "SecretAccessKey");
		return -1;
	}
	if (need_token && d->token[0] == '\0') {
		snprintf(why, whylen, "the answer has no session token");
		return -1;
	}
	if (d->bad_expiration) {
		snprintf(why, whylen, "the answer's Expiration is not a time");
		return -1;
	}
	put(out->access_key, sizeof out->access_key, d->access_key);
	put(out->secret_key, sizeof out->secret_key, d->secret_key);
	put(out->token, sizeof out->token, d->token);
	out->expiration = d->has_expiration ? d->expiration : 0;
	if (out->expiration != 0 && out->expiration <= (double)time(NULL)) {
		snprintf(why, whylen, "the credentials given have already expired");
		creds_wipe(out);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- 1. environment */

static int
p_env(struct chain *c, struct aws_creds *out)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN"), *exp = getenv("AWS_CREDENTIAL_EXPIRATION");

	if (c->o->profile != NULL) {
		tried(c, "environment", "skipped: --profile was given");
		return 0;
	}
	if ((ak == NULL || *ak == '\0') && (sk == NULL || *sk == '\0')) {
		tried(c, "environment", "AWS_ACCESS_KEY_ID is not set");
		return 0;
	}
	if (ak == NULL || *ak == '\0' || sk == NULL || *sk == '\0') {
		tried(c, "environment", "%s is set but %s is not",
		    ak != NULL && *ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    ak != NULL && *ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	if (tok == NULL || *tok == '\0')
		tok = getenv("AWS_SECURITY_TOKEN");
	if (put(out->access_key, sizeof out->access_key, ak) < 0 ||
	    put(out->secret_key, sizeof out->secret_key, sk) < 0 ||
	    put(out->token, sizeof out->token, tok != NULL ? tok : "") < 0) {
		tried(c, "environment", "a value is longer than expected");
		creds_wipe(out);
		return -1;
	}
	if (exp != NULL && *exp != '\0') {
		if (json_parse_time(exp, &out->expiration) != 0) {
			tried(c, "environment", "AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time");
			creds_wipe(out);
			return -1;
		}
		if (out->expiration <= (double)time(NULL)) {
			tried(c, "environment", "AWS_CREDENTIAL_EXPIRATION has passed");
			creds_wipe(out);
			return -1;
		}
	}
	snprintf(out->source, sizeof out->source, "environment");
	return 1;
}

/* ---------------------------------------------------------------- STS */

/* Append value percent-encoded (RFC 3986 unreserved characters kept) to buf. */
static void
pct_encode(char *buf, size_t size, const char *value)
{
	size_t n = strlen(buf);
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p != '\0' && n + 4 < size; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			buf[n++] = (char)*p;
		else
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", *p);
	}
	if (n < size)
		buf[n] = '\0';
}

/* Append "&key=value" (no "&" first) to a form body. */
static void
form_add(char *buf, size_t size, const char *key, const char *value)
{
	size_t n = strlen(buf);

	snprintf(buf + n, n < size ? size - n : 0, "%s%s=", n > 0 ? "&" : "", key);
	pct_encode(buf, size, value);
}

/* The text of the first <tag>...</tag> in xml, entities decoded; -1 when absent. */
static int
xml_text(const char *xml, const char *tag, char *out, size_t outlen)
{
	char open[64], close[64];
	const char *s, *e;
	size_t o = 0;

	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	if ((s = strstr(xml, open)) == NULL)
		return -1;
	s += strlen(open);
	if ((e = strstr(s, close)) == NULL)
		return -1;
	while (s < e && o + 1 < outlen) {
		static const struct { const char *ent; char c; } ents[] = {
			{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
		};
		size_t i;

		for (i = 0; i < sizeof ents / sizeof ents[0]; i++)
			if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < sizeof ents / sizeof ents[0]) {
			out[o++] = ents[i].c;
			s += strlen(ents[i].ent);
		} else
			out[o++] = *s++;
	}
	out[o] = '\0';
	return s == e ? 0 : -1;
}

/* The endpoint of a service given by env override, or the default. */
static void
service_endpoint(const char *env, const char *dflt, char *out, size_t outlen)
{
	const char *v = getenv(env);

	if (v == NULL || *v == '\0')
		v = getenv("AWS_ENDPOINT_URL");
	snprintf(out, outlen, "%s", v != NULL && *v != '\0' ? v : dflt);
	while (strlen(out) > 0 && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
}

/* Call STS with a form body; signed with signer when given.  Fills out from
 * the <Credentials> of the answer.  Returns 0, or -1 with a reason. */
static int
sts_call(struct chain *c, const char *form, const struct aws_creds *signer, struct aws_creds *out,
    char *why, size_t whylen)
{
	const char *region = c->o->region != NULL && region_valid(c->o->region) ? c->o->region : NULL;
	char url[512], dflt[256], scope[128], tokhdr[4200], code[128], msg[512];
	const char *hdrs[2];
	struct http_request rq;
	struct http_response r;
	struct json_creds d;
	int rc = -1;

	if (region != NULL)
		snprintf(dflt, sizeof dflt, "https://sts.%s.amazonaws.com%s", region,
		    strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	else
		snprintf(dflt, sizeof dflt, "https://sts.amazonaws.com");
	service_endpoint("AWS_ENDPOINT_URL_STS", dflt, url, sizeof url);
	strncat(url, "/", sizeof url - strlen(url) - 1);
	snprintf(scope, sizeof scope, "aws:amz:%s:sts", region != NULL ? region : "us-east-1");
	memset(&rq, 0, sizeof rq);
	rq.method = "POST";
	rq.url = url;
	rq.body = form;
	rq.body_len = strlen(form);
	hdrs[0] = "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
	rq.headers = hdrs;
	rq.nheaders = 1;
	if (signer != NULL) {
		rq.sigv4 = scope;
		rq.user = signer->access_key;
		rq.password = signer->secret_key;
		if (signer->token[0] != '\0') {
			snprintf(tokhdr, sizeof tokhdr, "X-Amz-Security-Token: %s", signer->token);
			hdrs[1] = tokhdr;
			rq.nheaders = 2;
		}
	}
	rq.timeout = STS_TIMEOUT;
	rq.connect_timeout = 5;
	log_debug("credentials: STS call to %s", url);
	if (http_fetch(&rq, &r) != 0) {
		snprintf(why, whylen, "STS at %s: %s", url, r.error);
		goto out;
	}
	if (r.status != 200) {
		if (xml_text(r.body, "Code", code, sizeof code) != 0)
			snprintf(code, sizeof code, "HTTP %ld", r.status);
		if (xml_text(r.body, "Message", msg, sizeof msg) != 0)
			msg[0] = '\0';
		snprintf(why, whylen, "STS at %s refused: %s%s%s", url, code, msg[0] ? ": " : "", msg);
		goto out;
	}
	memset(&d, 0, sizeof d);
	if (xml_text(r.body, "AccessKeyId", d.access_key, sizeof d.access_key) != 0 ||
	    xml_text(r.body, "SecretAccessKey", d.secret_key, sizeof d.secret_key) != 0 ||
	    xml_text(r.body, "SessionToken", d.token, sizeof d.token) != 0) {
		snprintf(why, whylen, "STS at %s: no credentials in the answer", url);
		http_wipe(&d, sizeof d);
		goto out;
	}
	if (xml_text(r.body, "Expiration", msg, sizeof msg) == 0) {
		d.has_expiration = 1;
		d.bad_expiration = json_parse_time(msg, &d.expiration) != 0;
	}
	rc = from_doc(out, &d, 1, why, whylen);
	http_wipe(&d, sizeof d);
out:
	if (r.body != NULL)
		http_wipe(r.body, r.body_len);
	http_response_clear(&r);
	http_wipe(tokhdr, sizeof tokhdr);
	return rc;
}

/* ---------------------------------------------------------------- credential_process */

/* Split a command line as Python's shlex.split does (POSIX mode), without
 * a shell.  Returns the argument count (argv NULL-terminated), -1 on an
 * unterminated quote. */
static int
shell_split(const char *s, char **argv, int max, char *buf, size_t buflen)
{
	size_t o = 0;
	int argc = 0, in_word = 0;
	char q = 0;

	for (; *s != '\0'; s++) {
		char ch = *s;

		if (o + 2 >= buflen)
			return -1;
		if (q == '\'') {
			if (ch == '\'')
				q = 0;
			else
				buf[o++] = ch;
			continue;
		}
		if (q == '"') {
			if (ch == '"')
				q = 0;
			else if (ch == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '$' || s[1] == '`'))
				buf[o++] = *++s;
			else
				buf[o++] = ch;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n') {
			if (in_word) {
				buf[o++] = '\0';
				in_word = 0;
			}
			continue;
		}
		if (!in_word) {
			if (argc >= max - 1)
				return -1;
			argv[argc++] = buf + o;
			in_word = 1;
		}
		if (ch == '\'' || ch == '"')
			q = ch;
		else if (ch == '\\' && s[1] != '\0')
			buf[o++] = *++s;
		else
			buf[o++] = ch;
	}
	if (q != 0)
		return -1;
	if (in_word)
		buf[o++] = '\0';
	argv[argc] = NULL;
	return argc;
}

/* Keep the first line of text, printable, at most 200 bytes. */
static void
first_line(const char *text, char *out, size_t outlen)
{
	size_t o = 0;

	while (*text == '\n' || *text == '\r' || *text == ' ')
		text++;
	for (; *text != '\0' && *text != '\n' && o + 1 < outlen && o < 200; text++)
		out[o++] = (unsigned char)*text < 0x20 || *text == 0x7f ? '?' : *text;
	out[o] = '\0';
}

/* Run argv; its standard output into out (NUL-terminated), its standard
 * error's first line into errline.  Returns the exit status, or -1 with a
 * reason in errline. */
static int
run_process(char **argv, char *out, size_t outlen, char *errline, size_t errlen)
{
	int opipe[2], epipe[2], status = -1;
	char ebuf[4096];
	size_t olen = 0, elen = 0;
	time_t deadline = time(NULL) + PROCESS_TIMEOUT;
	struct pollfd pfd[2];
	pid_t pid;

	errline[0] = '\0';
	if (pipe(opipe) != 0)
		goto fail_errno;
	if (pipe(epipe) != 0) {
		close(opipe[0]);
		close(opipe[1]);
		goto fail_errno;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(opipe[0]); close(opipe[1]); close(epipe[0]); close(epipe[1]);
		goto fail_errno;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(opipe[1], 1);
		dup2(epipe[1], 2);
		close(opipe[0]); close(opipe[1]); close(epipe[0]); close(epipe[1]);
		execvp(argv[0], argv);
		(void)!write(2, "cannot run the command\n", 23);
		_exit(127);
	}
	close(opipe[1]);
	close(epipe[1]);
	pfd[0].fd = opipe[0];
	pfd[1].fd = epipe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		int i, left = (int)(deadline - time(NULL));

		if (left <= 0) {
			kill(pid, SIGKILL);
			snprintf(errline, errlen, "it did not finish within %d s", PROCESS_TIMEOUT);
			break;
		}
		if (poll(pfd, 2, left * 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			char tmp[4096];
			ssize_t n;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[i].fd, tmp, sizeof tmp);
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				continue;
			}
			if (i == 0 && olen + (size_t)n < outlen) {
				memcpy(out + olen, tmp, (size_t)n);
				olen += (size_t)n;
			} else if (i == 1 && elen + (size_t)n < sizeof ebuf) {
				memcpy(ebuf + elen, tmp, (size_t)n);
				elen += (size_t)n;
			}
			http_wipe(tmp, sizeof tmp);
		}
	}
	if (pfd[0].fd >= 0)
		close(pfd[0].fd);
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	out[olen] = '\0';
	ebuf[elen] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	if (errline[0] != '\0')
		return -1;
	first_line(ebuf, errline, errlen);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	snprintf(errline, errlen, "it was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
fail_errno:
	snprintf(errline, errlen, "%s", strerror(errno));
	return -1;
}

/* Credentials from the profile's credential_process. */
static int
process_creds(struct chain *c, const char *profile, const char *cmd, struct aws_creds *out,
    char *why, size_t whylen)
{
	char buf[4096], *argv[64], errline[256];
	char *output = xmalloc(PROCESS_OUTPUT_MAX);
	struct json_creds d;
	int argc, st, rc = -1;

	if ((argc = shell_split(cmd, argv, 64, buf, sizeof buf)) <= 0) {
		snprintf(why, whylen, "credential_process of profile %s cannot be split into words", profile);
		goto done;
	}
	log_info("credentials: running the credential_process of profile %s (%s)", profile, argv[0]);
	st = run_process(argv, output, PROCESS_OUTPUT_MAX, errline, sizeof errline);
	if (st != 0) {
		if (st > 0)
			snprintf(why, whylen, "credential_process %s exited with status %d%s%s", argv[0],
			    st, errline[0] ? ": " : "", errline);
		else
			snprintf(why, whylen, "credential_process %s: %s", argv[0], errline);
		goto done;
	}
	if (json_decode_creds(output, strlen(output), &d, errline, sizeof errline) != 0) {
		snprintf(why, whylen, "credential_process %s printed no JSON object (%s)", argv[0], errline);
		goto done;
	}
	if (d.version != 1) {
		snprintf(why, whylen, "credential_process %s: Version must be 1", argv[0]);
		http_wipe(&d, sizeof d);
		goto done;
	}
	if (from_doc(out, &d, 0, errline, sizeof errline) != 0) {
		snprintf(why, whylen, "credential_process %s: %s", argv[0], errline);
		http_wipe(&d, sizeof d);
		goto done;
	}
	http_wipe(&d, sizeof d);
	rc = 0;
done:
	http_wipe(output, PROCESS_OUTPUT_MAX);
	free(output);
	(void)c;
	return rc;
}

/* ---------------------------------------------------------------- container and IMDS */

static int
imds_disabled(void)
{
	const char *v = getenv("AWS_EC2_METADATA_DISABLED");

	return v != NULL && strcasecmp(v, "true") == 0;
}

/* The IMDS base URL: AWS_EC2_METADATA_SERVICE_ENDPOINT, the profile's
 * ec2_metadata_service_endpoint, or the IPv4/IPv6 default. */
static void
imds_base(char *out, size_t outlen)
{
	const char *v = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	char buf[256];

	if (v != NULL && *v != '\0')
		snprintf(out, outlen, "%s", v);
	else if (creds_config_get(creds_profile(NULL), "ec2_metadata_service_endpoint", buf, sizeof buf) == 1)
		snprintf(out, outlen, "%s", buf);
	else if (mode != NULL && strcasecmp(mode, "IPv6") == 0)
		snprintf(out, outlen, "http://[fd00:ec2::254]");
	else
		snprintf(out, outlen, "http://169.254.169.254");
	while (strlen(out) > 0 && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
}

/* One IMDS request with the session token (or, token NULL, the PUT for one). */
static int
imds_request(const char *base, const char *path, const char *token, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char url[512], hdr[4200];
	const char *hdrs[1];
	struct http_request rq;
	struct http_response r;
	int rc = -1;

	snprintf(url, sizeof url, "%s%s", base, path);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	if (token == NULL) {
		rq.method = "PUT";
		snprintf(hdr, sizeof hdr, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	} else {
		rq.method = "GET";
		snprintf(hdr, sizeof hdr, "X-aws-ec2-metadata-token: %s", token);
	}
	hdrs[0] = hdr;
	rq.headers = hdrs;
	rq.nheaders = 1;
	rq.timeout = IMDS_TIMEOUT;
	rq.connect_timeout = IMDS_TIMEOUT;
	if (http_fetch(&rq, &r) != 0)
		snprintf(err, errlen, "%s %s: %s", rq.method, url, r.error);
	else if (r.status != 200)
		snprintf(err, errlen, "%s %s: HTTP %ld", rq.method, url, r.status);
	else if (r.body_len >= outlen)
		snprintf(err, errlen, "%s %s: answer too long", rq.method, url);
	else {
		memcpy(out, r.body, r.body_len + 1);
		rc = 0;
	}
	if (r.body != NULL)
		http_wipe(r.body, r.body_len);
	http_response_clear(&r);
	http_wipe(hdr, sizeof hdr);
	return rc;
}

int
creds_imds_get(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	char base[256], token[1024];
	int rc;

	if (imds_disabled()) {
		snprintf(err, errlen, "AWS_EC2_METADATA_DISABLED is true");
		return -1;
	}
	imds_base(base, sizeof base);
	if (imds_request(base, "/latest/api/token", NULL, token, sizeof token, err, errlen) != 0)
		return -1;
	token[strcspn(token, "\r\n")] = '\0';
	rc = imds_request(base, path, token, out, outlen, err, errlen);
	http_wipe(token, sizeof token);
	return rc;
}

static int
p_imds(struct chain *c, struct aws_creds *out)
{
	char role[256], path[512], err[512], *body;
	struct json_creds d;
	int rc = -1;

	if (imds_disabled()) {
		tried(c, "EC2 instance metadata", "AWS_EC2_METADATA_DISABLED is true");
		return 0;
	}
	if (creds_imds_get("/latest/meta-data/iam/security-credentials/", role, sizeof role,
	    err, sizeof err) != 0) {
		tried(c, "EC2 instance metadata", "%s", err);
		return 0;   /* not on EC2, or no role: the chain just ends */
	}
	role[strcspn(role, "\r\n")] = '\0';
	if (role[0] == '\0' || strchr(role, '/') != NULL) {
		tried(c, "EC2 instance metadata", "the instance has no IAM role");
		return 0;
	}
	snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%s", role);
	body = xmalloc(16384);
	if (creds_imds_get(path, body, 16384, err, sizeof err) != 0)
		tried(c, "EC2 instance metadata", "role %s: %s", role, err);
	else if (json_decode_creds(body, strlen(body), &d, err, sizeof err) != 0)
		tried(c, "EC2 instance metadata", "role %s: %s", role, err);
	else {
		if (d.code[0] != '\0' && strcmp(d.code, "Success") != 0)
			tried(c, "EC2 instance metadata", "role %s: %s %s", role, d.code, d.message);
		else if (from_doc(out, &d, 1, err, sizeof err) != 0)
			tried(c, "EC2 instance metadata", "role %s: %s", role, err);
		else {
			snprintf(out->source, sizeof out->source, "EC2 instance metadata (role %.100s)", role);
			rc = 1;
		}
		http_wipe(&d, sizeof d);
	}
	http_wipe(body, 16384);
	free(body);
	return rc;
}

/* Whether a full container URI may be used: https, or plain http to a
 * loopback address or one of the ECS/EKS agent addresses (botocore's rule). */
static int
container_host_allowed(const char *url, char *host, size_t hostlen)
{
	const char *p, *e;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	p = url + 7;
	if (*p == '[') {
		e = strchr(p, ']');
		if (e == NULL)
			return 0;
		p++;
	} else
		e = p + strcspn(p, ":/?#");
	n = (size_t)(e - p) < hostlen - 1 ? (size_t)(e - p) : hostlen - 1;
	memcpy(host, p, n);
	host[n] = '\0';
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "localhost") == 0 || strcmp(host, "169.254.170.2") == 0 ||
	    strcmp(host, "169.254.170.23") == 0 || strcasecmp(host, "fd00:ec2::23") == 0;
}

static int
p_container(struct chain *c, struct aws_creds *out)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tokenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char url[1024], host[256], auth[4200], err[512];
	const char *hdrs[2];
	struct http_request rq;
	struct http_response r;
	struct json_creds d;
	int attempt, rc = -1;

	if (rel != NULL && *rel != '\0')
		snprintf(url, sizeof url, "http://169.254.170.2%s", rel);
	else if (full != NULL && *full != '\0') {
		if (!container_host_allowed(full, host, sizeof host)) {
			tried(c, "container", "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a "
			    "loopback or ECS/EKS agent address");
			return -1;
		}
		snprintf(url, sizeof url, "%s", full);
	} else {
		tried(c, "container", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set");
		return 0;
	}
	auth[0] = '\0';
	if (tokfile != NULL && *tokfile != '\0') {
		FILE *f = fopen(tokfile, "r");
		size_t n;

		if (f == NULL) {
			tried(c, "container", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", tokfile,
			    strerror(errno));
			return -1;
		}
		n = fread(auth + 15, 1, sizeof auth - 16, f);
		fclose(f);
		memcpy(auth, "Authorization: ", 15);
		auth[15 + n] = '\0';
		while (n > 0 && (auth[15 + n - 1] == '\n' || auth[15 + n - 1] == '\r'))
			auth[15 + --n] = '\0';
	} else if (tokenv != NULL && *tokenv != '\0')
		snprintf(auth, sizeof auth, "Authorization: %s", tokenv);
	if (strpbrk(auth, "\r\n") != NULL) {
		tried(c, "container", "the authorization token holds a line break");
		http_wipe(auth, sizeof auth);
		return -1;
	}
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.method = "GET";
	hdrs[0] = "Accept: application/json";
	hdrs[1] = auth;
	rq.headers = hdrs;
	rq.nheaders = auth[0] != '\0' ? 2 : 1;
	rq.timeout = CONTAINER_TIMEOUT;
	rq.connect_timeout = CONTAINER_TIMEOUT;
	err[0] = '\0';
	for (attempt = 0; attempt < 3; attempt++) {
		if (attempt > 0)
			sleep(1);
		if (http_fetch(&rq, &r) != 0) {
			snprintf(err, sizeof err, "%.200s: %.250s", url, r.error);
			http_response_clear(&r);
			continue;
		}
		if (r.status != 200) {
			snprintf(err, sizeof err, "%.200s: HTTP %ld", url, r.status);
			http_wipe(r.body, r.body_len);
			http_response_clear(&r);
			if (r.status >= 400 && r.status < 500)
				break;   /* refused: asking again will not help */
			continue;
		}
		if (json_decode_creds(r.body, r.body_len, &d, err, sizeof err) == 0) {
			char why[256];

			if (from_doc(out, &d, 0, why, sizeof why) == 0) {
				snprintf(out->source, sizeof out->source, "container credentials (%s)",
				    rel != NULL && *rel ? "ECS" : "full URI");
				rc = 1;
			} else
				snprintf(err, sizeof err, "%.200s: %.250s", url, why);
			http_wipe(&d, sizeof d);
		}
		http_wipe(r.body, r.body_len);
		http_response_clear(&r);
		break;
	}
	http_wipe(auth, sizeof auth);
	if (rc != 1)
		tried(c, "container", "%s", err);
	return rc;
}

/* ---------------------------------------------------------------- SSO */

static int
p_sso(struct chain *c, const char *profile, struct aws_creds *out, int quiet)
{
	char session[128], start[512], region[64], account[64], role[128], key[600], sect[160];
	char path[PATH_MAX], hex[41], url[1024], base[512], dflt[256], err[512], *file;
	char hdr[4200];
	const char *hdrs[1];
	struct json_creds d;
	struct http_request rq;
	struct http_response r;
	size_t n;
	FILE *f;
	int rc = -1;

	session[0] = start[0] = region[0] = '\0';
	if (creds_config_get(profile, "sso_session", session, sizeof session) == 1) {
		snprintf(sect, sizeof sect, "sso-session %s", session);
		creds_config_get(sect, "sso_region", region, sizeof region);
		creds_config_get(sect, "sso_start_url", start, sizeof start);
		snprintf(key, sizeof key, "%s", session);
	} else if (creds_config_get(profile, "sso_start_url", start, sizeof start) == 1) {
		creds_config_get(profile, "sso_region", region, sizeof region);
		snprintf(key, sizeof key, "%s", start);
	} else {
		if (!quiet)
			tried(c, "SSO", "profile %s has no sso_session or sso_start_url", profile);
		return 0;
	}
	if (creds_config_get(profile, "sso_account_id", account, sizeof account) != 1 ||
	    creds_config_get(profile, "sso_role_name", role, sizeof role) != 1 || region[0] == '\0') {
		tried(c, "SSO", "profile %s needs sso_account_id, sso_role_name and sso_region", profile);
		return -1;
	}
	if (!region_valid(region)) {
		tried(c, "SSO", "sso_region '%s' is not a region name", region);
		return -1;
	}
	creds_sha1_hex(key, hex);
	{
		const char *home = getenv("HOME");

		snprintf(path, sizeof path, "%s/.aws/sso/cache/%s.json", home != NULL ? home : "", hex);
	}
	if ((f = fopen(path, "r")) == NULL) {
		tried(c, "SSO", "no token in %s (run: aws sso login --profile %s)", path, profile);
		return -1;
	}
	file = xmalloc(65536);
	n = fread(file, 1, 65535, f);
	fclose(f);
	file[n] = '\0';
	if (json_decode_creds(file, n, &d, err, sizeof err) != 0 || d.access_token[0] == '\0') {
		tried(c, "SSO", "%s holds no accessToken", path);
		goto done;
	}
	if (d.has_expiration && d.expiration <= (double)time(NULL)) {
		tried(c, "SSO", "the token in %s has expired (run: aws sso login --profile %s)", path, profile);
		goto done;
	}
	snprintf(dflt, sizeof dflt, "https://portal.sso.%s.amazonaws.com", region);
	service_endpoint("AWS_ENDPOINT_URL_SSO", dflt, base, sizeof base);
	snprintf(url, sizeof url, "%s/federation/credentials?role_name=", base);
	pct_encode(url, sizeof url, role);
	strncat(url, "&account_id=", sizeof url - strlen(url) - 1);
	pct_encode(url, sizeof url, account);
	snprintf(hdr, sizeof hdr, "x-amz-sso_bearer_token: %s", d.access_token);
	http_wipe(&d, sizeof d);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.method = "GET";
	hdrs[0] = hdr;
	rq.headers = hdrs;
	rq.nheaders = 1;
	rq.timeout = STS_TIMEOUT;
	if (http_fetch(&rq, &r) != 0)
		tried(c, "SSO", "%s: %s", base, r.error);
	else if (r.status != 200)
		tried(c, "SSO", "the SSO portal refused the token: HTTP %ld%s", r.status,
		    r.status == 401 || r.status == 403 ? " (run: aws sso login)" : "");
	else if (json_decode_creds(r.body, r.body_len, &d, err, sizeof err) != 0)
		tried(c, "SSO", "the SSO portal's answer: %s", err);
	else {
		if (from_doc(out, &d, 0, err, sizeof err) != 0)
			tried(c, "SSO", "the SSO portal's answer: %s", err);
		else {
			snprintf(out->source, sizeof out->source, "SSO (profile %s, role %s)", profile, role);
			rc = 1;
		}
	}
	if (r.body != NULL)
		http_wipe(r.body, r.body_len);
	http_response_clear(&r);
	http_wipe(hdr, sizeof hdr);
done:
	http_wipe(&d, sizeof d);
	http_wipe(file, 65536);
	free(file);
	return rc;
}

/* ---------------------------------------------------------------- profiles */

/* Static keys of a profile, from the credentials file then the config
 * file.  Returns 1, 0 when it has none, -1 when half of a pair is there. */
static int
profile_keys(struct chain *c, const char *profile, int config, struct aws_creds *out)
{
	int (*get)(const char *, const char *, char *, size_t) = config ? creds_config_get : credfile_get;
	const char *name = config ? "config file" : "shared credentials file";
	int a, s;

	a = get(profile, "aws_access_key_id", out->access_key, sizeof out->access_key);
	s = get(profile, "aws_secret_access_key", out->secret_key, sizeof out->secret_key);
	if (a != 1 && s != 1)
		return 0;
	if (a != 1 || s != 1 || out->access_key[0] == '\0' || out->secret_key[0] == '\0') {
		tried(c, name, "profile %s has only one of aws_access_key_id and aws_secret_access_key",
		    profile);
		creds_wipe(out);
		return -1;
	}
	if (get(profile, "aws_session_token", out->token, sizeof out->token) != 1 &&
	    get(profile, "aws_security_token", out->token, sizeof out->token) != 1)
		out->token[0] = '\0';
	out->expiration = 0;
	snprintf(out->source, sizeof out->source, "%s (profile %s)", name, profile);
	return 1;
}

static int role_creds(struct chain *c, const char *profile, struct aws_creds *out);

/* The credentials a role's source_profile gives: another role, SSO,
 * keys, or a credential_process. */
static int
source_creds(struct chain *c, const char *profile, struct aws_creds *out)
{
	char buf[2048], why[512];
	int rc;

	if (creds_config_get(profile, "role_arn", buf, sizeof buf) == 1 && c->depth < MAX_ROLE_DEPTH) {
		/* A profile that is its own source uses its keys (botocore allows it). */
		char src[128];

		if (creds_config_get(profile, "source_profile", src, sizeof src) != 1 ||
		    strcmp(src, profile) != 0)
			return role_creds(c, profile, out);
	}
	if ((rc = p_sso(c, profile, out, 1)) != 0)
		return rc;
	if ((rc = profile_keys(c, profile, 0, out)) != 0 || (rc = profile_keys(c, profile, 1, out)) != 0)
		return rc;
	if (creds_config_get(profile, "credential_process", buf, sizeof buf) == 1) {
		if (process_creds(c, profile, buf, out, why, sizeof why) != 0) {
			tried(c, "credential_process", "%s", why);
			return -1;
		}
		return 1;
	}
	tried(c, "assume role", "source profile %s has no credentials", profile);
	return -1;
}

/* Assume the profile's role_arn with the credentials of its source. */
static int
role_creds(struct chain *c, const char *profile, struct aws_creds *out)
{
	char arn[2048], src[128], csrc[64], ext[1024], session[128], dur[32], mfa[256];
	char form[8192], why[512];
	struct aws_creds signer;
	int rc;

	if (creds_config_get(profile, "role_arn", arn, sizeof arn) != 1)
		return 0;
	if (++c->depth > MAX_ROLE_DEPTH) {
		tried(c, "assume role", "profile %s: source_profile chain longer than %d (a loop?)",
		    profile, MAX_ROLE_DEPTH);
		return -1;
	}
	if (creds_config_get(profile, "mfa_serial", mfa, sizeof mfa) == 1) {
		tried(c, "assume role", "profile %s needs an MFA code (mfa_serial), which xraytop "
		    "cannot ask for; use credentials from `aws sts get-session-token`", profile);
		return -1;
	}
	memset(&signer, 0, sizeof signer);
	if (creds_config_get(profile, "source_profile", src, sizeof src) == 1) {
		if (!profile_exists(src)) {
			tried(c, "assume role", "profile %s: source_profile %s does not exist", profile, src);
			return -1;
		}
		rc = strcmp(src, profile) == 0 ? profile_keys(c, src, 0, &signer) : source_creds(c, src, &signer);
		if (rc == 0 && strcmp(src, profile) == 0)
			rc = profile_keys(c, src, 1, &signer);
		if (rc != 1) {
			if (rc == 0)
				tried(c, "assume role", "source profile %s has no credentials", src);
			creds_wipe(&signer);
			return -1;
		}
	} else if (creds_config_get(profile, "credential_source", csrc, sizeof csrc) == 1) {
		struct chain sub = { c->o, profile, "", 0, c->depth };

		if (strcmp(csrc, "Environment") == 0) {
			struct creds_opts o2 = *c->o;

			o2.profile = NULL;
			sub.o = &o2;
			rc = p_env(&sub, &signer);
		} else if (strcmp(csrc, "Ec2InstanceMetadata") == 0)
			rc = p_imds(&sub, &signer);
		else if (strcmp(csrc, "EcsContainer") == 0)
			rc = p_container(&sub, &signer);
		else {
			tried(c, "assume role", "profile %s: unknown credential_source %s", profile, csrc);
			return -1;
		}
		if (rc != 1) {
			tried(c, "assume role", "profile %s: credential_source %s gave nothing:\n  %s",
			    profile, csrc, trim(sub.tried));
			creds_wipe(&signer);
			return -1;
		}
	} else {
		tried(c, "assume role", "profile %s has role_arn but no source_profile or credential_source",
		    profile);
		return -1;
	}
	form[0] = '\0';
	form_add(form, sizeof form, "Action", "AssumeRole");
	form_add(form, sizeof form, "Version", "2011-06-15");
	form_add(form, sizeof form, "RoleArn", arn);
	if (creds_config_get(profile, "role_session_name", session, sizeof session) != 1)
		snprintf(session, sizeof session, "xraytop-session-%lld", (long long)time(NULL));
	form_add(form, sizeof form, "RoleSessionName", session);
	if (creds_config_get(profile, "external_id", ext, sizeof ext) == 1)
		form_add(form, sizeof form, "ExternalId", ext);
	if (creds_config_get(profile, "duration_seconds", dur, sizeof dur) == 1)
		form_add(form, sizeof form, "DurationSeconds", dur);
	log_info("credentials: assuming role %s for profile %s (source: %s)", arn, profile, signer.source);
	rc = sts_call(c, form, &signer, out, why, sizeof why);
	creds_wipe(&signer);
	if (rc != 0) {
		tried(c, "assume role", "profile %s, role %s: %s", profile, arn, why);
		return -1;
	}
	snprintf(out->source, sizeof out->source, "assume role %.90s (profile %.30s)", arn, profile);
	return 1;
}

static int
p_assume_role(struct chain *c, struct aws_creds *out)
{
	char arn[16];

	if (creds_config_get(c->profile, "role_arn", arn, sizeof arn) != 1) {
		tried(c, "assume role", "profile %s has no role_arn", c->profile);
		return 0;
	}
	{
		char wif[16];

		/* role_arn with a web identity token file belongs to the next provider */
		if (creds_config_get(c->profile, "web_identity_token_file", wif, sizeof wif) == 1) {
			tried(c, "assume role", "profile %s uses a web identity", c->profile);
			return 0;
		}
	}
	return role_creds(c, c->profile, out);
}

static int
p_web_identity(struct chain *c, struct aws_creds *out)
{
	const char *envfile = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *envarn = getenv("AWS_ROLE_ARN");
	const char *envsess = getenv("AWS_ROLE_SESSION_NAME");
	char file[PATH_MAX], arn[2048], session[128], why[512], form[12288];
	char *token;
	size_t n;
	FILE *f;
	int rc;

	if (envfile != NULL && *envfile != '\0' && envarn != NULL && *envarn != '\0') {
		snprintf(file, sizeof file, "%s", envfile);
		snprintf(arn, sizeof arn, "%s", envarn);
		snprintf(session, sizeof session, "%s", envsess != NULL && *envsess ? envsess : "");
	} else if (creds_config_get(c->profile, "web_identity_token_file", file, sizeof file) == 1) {
		if (creds_config_get(c->profile, "role_arn", arn, sizeof arn) != 1) {
			tried(c, "web identity", "profile %s has web_identity_token_file but no role_arn",
			    c->profile);
			return -1;
		}
		if (creds_config_get(c->profile, "role_session_name", session, sizeof session) != 1)
			session[0] = '\0';
	} else {
		tried(c, "web identity", "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set, "
		    "and profile %s has no web_identity_token_file", c->profile);
		return 0;
	}
	if (session[0] == '\0')
		snprintf(session, sizeof session, "xraytop-session-%lld", (long long)time(NULL));
	if ((f = fopen(file, "r")) == NULL) {
		tried(c, "web identity", "token file %s: %s", file, strerror(errno));
		return -1;
	}
	token = xmalloc(8192);
	n = fread(token, 1, 8191, f);
	fclose(f);
	token[n] = '\0';
	trim(token);
	form[0] = '\0';
	form_add(form, sizeof form, "Action", "AssumeRoleWithWebIdentity");
	form_add(form, sizeof form, "Version", "2011-06-15");
	form_add(form, sizeof form, "RoleArn", arn);
	form_add(form, sizeof form, "RoleSessionName", session);
	form_add(form, sizeof form, "WebIdentityToken", token);
	http_wipe(token, 8192);
	free(token);
	rc = sts_call(c, form, NULL, out, why, sizeof why);
	http_wipe(form, sizeof form);
	if (rc != 0) {
		tried(c, "web identity", "role %s: %s", arn, why);
		return -1;
	}
	snprintf(out->source, sizeof out->source, "web identity (role %.130s)", arn);
	return 1;
}

static int
p_shared_file(struct chain *c, struct aws_creds *out)
{
	char path[PATH_MAX];
	int rc = profile_keys(c, c->profile, 0, out);

	if (rc == 0) {
		aws_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", path, sizeof path);
		if (access(path, R_OK) != 0)
			tried(c, "shared credentials file", "%s: %s", path[0] ? path : "(no HOME)",
			    strerror(errno));
		else
			tried(c, "shared credentials file", "%s has no keys for profile %s", path, c->profile);
	}
	return rc;
}

static int
p_process(struct chain *c, struct aws_creds *out)
{
	char cmd[2048], why[512];

	if (creds_config_get(c->profile, "credential_process", cmd, sizeof cmd) != 1) {
		tried(c, "credential_process", "profile %s has none", c->profile);
		return 0;
	}
	if (process_creds(c, c->profile, cmd, out, why, sizeof why) != 0) {
		tried(c, "credential_process", "%s", why);
		return -1;
	}
	snprintf(out->source, sizeof out->source, "credential_process (profile %s)", c->profile);
	return 1;
}

static int
p_config_file(struct chain *c, struct aws_creds *out)
{
	char path[PATH_MAX];
	int rc = profile_keys(c, c->profile, 1, out);

	if (rc == 0) {
		aws_path("AWS_CONFIG_FILE", ".aws/config", path, sizeof path);
		if (access(path, R_OK) != 0)
			tried(c, "config file", "%s: %s", path[0] ? path : "(no HOME)", strerror(errno));
		else
			tried(c, "config file", "%s has no keys for profile %s", path, c->profile);
	}
	return rc;
}

static int
p_sso_chain(struct chain *c, struct aws_creds *out)
{
	return p_sso(c, c->profile, out, 0);
}

/* ---------------------------------------------------------------- resolve */

static const struct {
	enum creds_provider id;
	const char	*name;
	int		(*fn)(struct chain *, struct aws_creds *);
} providers[] = {
	{ CREDS_ENV,          "environment",             p_env },
	{ CREDS_ASSUME_ROLE,  "assume role",             p_assume_role },
	{ CREDS_WEB_IDENTITY, "web identity",            p_web_identity },
	{ CREDS_SSO,          "SSO",                     p_sso_chain },
	{ CREDS_SHARED_FILE,  "shared credentials file", p_shared_file },
	{ CREDS_PROCESS,      "credential_process",      p_process },
	{ CREDS_CONFIG_FILE,  "config file",             p_config_file },
	{ CREDS_CONTAINER,    "container",               p_container },
	{ CREDS_IMDS,         "EC2 instance metadata",   p_imds },
};

const char *
creds_provider_name(enum creds_provider p)
{
	size_t i;

	for (i = 0; i < sizeof providers / sizeof providers[0]; i++)
		if (providers[i].id == p)
			return providers[i].name;
	return "none";
}

void
creds_wipe(struct aws_creds *c)
{
	http_wipe(c->access_key, sizeof c->access_key);
	http_wipe(c->secret_key, sizeof c->secret_key);
	http_wipe(c->token, sizeof c->token);
	c->expiration = 0;
}

int
creds_profile_check(const char *given, char *err, size_t errlen)
{
	const char *env_profile = getenv("AWS_PROFILE"), *p = creds_profile(given);
	char cp[PATH_MAX], cf[PATH_MAX];

	if ((given == NULL && (env_profile == NULL || *env_profile == '\0') &&
	    getenv("AWS_DEFAULT_PROFILE") == NULL) || strcmp(p, "default") == 0 || profile_exists(p))
		return 0;
	aws_path("AWS_CONFIG_FILE", ".aws/config", cp, sizeof cp);
	aws_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", cf, sizeof cf);
	snprintf(err, errlen, "the profile '%s'%s is in neither %s nor %s", p,
	    given != NULL ? "" : " (AWS_PROFILE)", cp, cf);
	return -1;
}

int
creds_resolve(const struct creds_opts *o, struct aws_creds *out, char *err, size_t errlen)
{
	struct chain *c = xcalloc(1, sizeof *c);
	size_t i;
	int rc = 0;

	if (http_global_init() != 0) {
		snprintf(err, errlen, "cannot initialise libcurl");
		free(c);
		return -1;
	}
	memset(out, 0, sizeof *out);
	c->o = o;
	c->profile = creds_profile(o->profile);
	if (creds_profile_check(o->profile, err, errlen) != 0) {
		free(c);
		return -1;
	}
	for (i = 0; i < sizeof providers / sizeof providers[0]; i++) {
		if (o->only != CREDS_NONE && providers[i].id != o->only)
			continue;
		c->depth = 0;
		rc = providers[i].fn(c, out);
		if (rc == 1) {
			out->provider = providers[i].id;
			log_info("credentials: from %s%s", out->source, out->expiration > 0 ?
			    ", expiring" : "");
			free(c);
			return 0;
		}
		creds_wipe(out);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		snprintf(err, errlen, "AWS credentials: %s failed. Tried, in order:\n%s",
		    providers[i].name, c->tried);
	else
		snprintf(err, errlen, "no AWS credentials found. Tried, in order:\n%s"
		    "Configure a profile (aws configure, aws sso login), give --profile, or set "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", c->tried);
	/* no trailing newline */
	while (strlen(err) > 0 && err[strlen(err) - 1] == '\n')
		err[strlen(err) - 1] = '\0';
	free(c);
	return -1;
}
