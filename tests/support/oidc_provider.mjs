// A real OpenID Connect provider for tests: npm's oidc-provider (9.x) on loopback.
//
//   node tests/support/oidc_provider.mjs [PORT] [CLIENT_JSON]
//
// PORT (argument or $PORT; 0 or absent picks a free one) is where it listens on 127.0.0.1; the
// issuer is http://127.0.0.1:PORT. CLIENT_JSON (argument or $OIDC_CLIENT) describes the one
// confidential client: {"client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris"}.
//
// The development login page accepts any login and any password: the login typed becomes the
// subject, `email` is the login (or login@example.com), `name` is made from it. Consent is granted
// automatically for the client. Prints `READY <issuer>` once listening; exits on SIGTERM/SIGINT.
// Nothing it serves refers to anything off the machine (the stock pages import a Google Font).

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const SCOPES = ['openid', 'email', 'profile'];

function fail(message) {
  process.stderr.write(`oidc_provider.mjs: ${message}\n`);
  process.exit(2);
}

function readClient() {
  const source = process.argv[3] ?? process.env.OIDC_CLIENT;
  if (!source) fail('no client: pass CLIENT_JSON as the second argument or set $OIDC_CLIENT');
  let raw;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    fail(`client JSON does not parse: ${error.message}`);
  }
  for (const key of ['client_id', 'client_secret']) {
    if (typeof raw[key] !== 'string' || !raw[key]) fail(`client JSON needs a string ${key}`);
  }
  if (!Array.isArray(raw.redirect_uris) || raw.redirect_uris.length === 0) {
    fail('client JSON needs a non-empty redirect_uris list');
  }
  return {
    client_id: raw.client_id,
    client_secret: raw.client_secret,
    redirect_uris: raw.redirect_uris,
    post_logout_redirect_uris: raw.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // client_secret_post is accepted too: oidc-provider lets a client registered for one
    // client_secret_* method authenticate with the other.
    token_endpoint_auth_method: 'client_secret_basic',
    scope: SCOPES.join(' '),
  };
}

// "ada.okafor@northbridge.example" -> "Ada Okafor"
function nameFrom(login) {
  const local = login.split('@')[0];
  const words = local.split(/[._+\-\s]+/).filter(Boolean);
  if (words.length === 0) return login;
  return words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join(' ');
}

function emailFrom(login) {
  return login.includes('@') ? login : `${login}@example.com`;
}

// Pages without any stylesheet from elsewhere (the stock ones @import fonts.googleapis.com).
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>body{font-family:sans-serif;margin:2em auto;max-width:30em;padding:0 1em}</style>
</head>
<body>
<main>
<h1>${htmlEscape(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function htmlEscape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com\/[^)]*\);?/g;

async function main() {
  const client = readClient();
  const requestedPort = Number(process.argv[2] ?? process.env.PORT ?? 0);
  if (!Number.isInteger(requestedPort) || requestedPort < 0) fail(`bad port ${process.argv[2]}`);

  // Listen first so that port 0 works: the issuer needs the real port.
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  // A signing key of its own for each run (the built-in development key is public).
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [client],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    scopes: SCOPES,
    responseTypes: ['code'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.body = page(
            'Sign out',
            `${form}
<p>Do you want to sign out from ${htmlEscape(ctx.host)}?</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You have signed out.</p>');
        },
      },
    },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: emailFrom(sub), email_verified: true, name: nameFrom(sub) };
        },
      };
    },
    // Consent is never asked of our one client: the grant covers every scope it may ask for.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      if (ctx.oidc.client.clientId !== client.client_id) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(SCOPES.join(' '));
      grant.addOIDCClaims(['email', 'email_verified', 'name']);
      await grant.save();
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        'Something went wrong',
        Object.entries(out).map(([k, v]) => `<p><strong>${htmlEscape(k)}</strong>: ${htmlEscape(v)}</p>`).join('\n'),
      );
    },
  });

  // The development interaction pages are fixed templates that @import a Google Font: cut it out.
  provider.use(async (ctx, next) => {
    await next();
    if (typeof ctx.body === 'string' && ctx.body.includes('fonts.googleapis.com')) {
      ctx.body = ctx.body.replace(FONT_IMPORT, '');
    }
  });

  // Keep the errors a test may want to see; oidc-provider otherwise swallows them.
  for (const event of ['server_error', 'grant.error', 'authorization.error', 'end_session.error']) {
    provider.on(event, (ctx, error) => {
      process.stderr.write(`oidc-provider ${event}: ${error?.message ?? ctx?.message} ${error?.error_description ?? ''}\n`);
    });
  }

  server.on('request', provider.callback());

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  process.stdout.write(`READY ${issuer}\n`);
}

main().catch((error) => fail(error.stack ?? String(error)));
