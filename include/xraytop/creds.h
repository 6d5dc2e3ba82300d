/* creds.h - AWS credentials, found the way the AWS CLI finds them.
 *
 * The chain, in botocore's order (the first provider that is configured
 * decides; one that is configured but fails stops the chain):
 *  1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *     (or AWS_SECURITY_TOKEN), AWS_CREDENTIAL_EXPIRATION; skipped when a
 *     profile is given on the command line (AWS_PROFILE does not skip it);
 *  2. assume role: the profile's role_arn with source_profile (keys, a
 *     credential_process, SSO or another role) or credential_source
 *     (Environment, Ec2InstanceMetadata, EcsContainer), through STS
 *     AssumeRole (signed with the source's credentials);
 *  3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the
 *     profile's web_identity_token_file + role_arn (STS
 *     AssumeRoleWithWebIdentity, as on EKS with IRSA);
 *  4. SSO: the profile's sso_session (or legacy sso_start_url) with
 *     sso_account_id and sso_role_name; the token from `aws sso login` in
 *     ~/.aws/sso/cache/SHA1.json, exchanged at the SSO portal;
 *  5. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 *     ~/.aws/credentials), section [PROFILE];
 *  6. credential_process in the config file's profile (run without a shell);
 *  7. keys in the config file (AWS_CONFIG_FILE, default ~/.aws/config),
 *     section [profile PROFILE] or [default];
 *  8. container credentials (ECS, EKS Pod Identity):
 *     AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or ..._FULL_URI, with
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or ..._TOKEN;
 *  9. EC2 instance metadata, IMDSv2 only (token PUT, role name, credentials),
 *     unless AWS_EC2_METADATA_DISABLED=true.
 * The profile is the one given (--profile), else AWS_PROFILE, else
 * AWS_DEFAULT_PROFILE, else "default"; one named but found in neither file is
 * an error.  Endpoints can be moved for tests and private networks as the
 * AWS CLI allows: AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_SSO (or
 * AWS_ENDPOINT_URL), AWS_EC2_METADATA_SERVICE_ENDPOINT.
 *
 * When nothing works, the error lists every provider tried and why it did
 * not give credentials.  Secrets are never written into messages or logs;
 * creds_wipe clears them from memory.  Providers block (with short
 * timeouts: 1 s for IMDS, 2 s for containers, 10 s for STS and SSO): call
 * them before the loop starts or from a worker thread.
 */
#ifndef XRAYTOP_CREDS_H
#define XRAYTOP_CREDS_H

#include <stddef.h>

enum creds_provider {
	CREDS_NONE,
	CREDS_ENV,
	CREDS_ASSUME_ROLE,
	CREDS_WEB_IDENTITY,
	CREDS_SSO,
	CREDS_SHARED_FILE,
	CREDS_PROCESS,
	CREDS_CONFIG_FILE,
	CREDS_CONTAINER,
	CREDS_IMDS,
};

struct aws_creds {
	char		 access_key[128];
	char		 secret_key[256];
	char		 token[4096];         /* "" for long-term keys */
	double		 expiration;          /* epoch seconds; 0: does not expire */
	enum creds_provider provider;
	char		 source[160];         /* e.g. "credential_process (profile dev)"; no secrets */
};

struct creds_opts {
	const char	*profile;             /* --profile; NULL when not given */
	const char	*region;              /* resolved region (STS's regional endpoint); may be NULL */
	enum creds_provider only;             /* refresh: ask only this provider (CREDS_NONE: the chain) */
};

/* Find credentials.  Returns 0, or -1 with the whole story in err. */
int creds_resolve(const struct creds_opts *o, struct aws_creds *out, char *err, size_t errlen);
/* Overwrite the secrets. */
void creds_wipe(struct aws_creds *c);
/* The provider's name ("environment", "IMDS", ...). */
const char *creds_provider_name(enum creds_provider p);

/* The profile in use: the one given, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default". */
const char *creds_profile(const char *given);
/* A profile named (given, or by AWS_PROFILE / AWS_DEFAULT_PROFILE) must be
 * in one of the files; 0, or -1 with a message. */
int creds_profile_check(const char *given, char *err, size_t errlen);
/* A key of a profile in the config file (or, for [sso-session NAME] and
 * the like, section "sso-session NAME").  Returns 1 and the value, 0 when
 * not there, -1 when the file cannot be read (missing is 0). */
int creds_config_get(const char *profile, const char *key, char *out, size_t outlen);
/* GET path from EC2 instance metadata with an IMDSv2 token.  Returns 0 and
 * the body, or -1 with a reason. */
int creds_imds_get(const char *path, char *out, size_t outlen, char *err, size_t errlen);

/* SHA-1 of s as 40 lower-case hex digits (the SSO cache file name). */
void creds_sha1_hex(const char *s, char out[41]);

#endif
