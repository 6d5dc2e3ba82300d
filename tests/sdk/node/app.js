'use strict';
// app.js - a small shop instrumented with the AWS X-Ray SDK for Node.js.
//
//   node app.js gateway|ledger|legacy
//
// Run by driver.py, never by hand: the configuration comes from the
// environment (SDK_TEST_CONFIG: moto URL and the other servers' ports;
// SDK_TEST_FD: the listening socket the driver opened;
// AWS_XRAY_DAEMON_ADDRESS: xraytop's listener).
//
//   gateway  express + aws-xray-sdk-express; AWS SDK v3 DynamoDB through
//            captureAWSv3Client (tables sessions, carts), every http call
//            through captureHTTPsGlobal (ledger at 127.0.0.1, legacy at
//            localhost), captureAsyncFunc subsegments price_rules and
//            reserve_stock; streaming threshold 2, so the concurrent stock
//            checks of a checkout stream subsegments as separate documents
//   ledger   express + aws-xray-sdk-express; DynamoDB table prices
//   legacy   a plain http server, not instrumented
//
// Every outcome is decided by the request itself (SKU prefix, tenant, cart
// id), never by timing or by earlier requests.  Logs go to stderr; the only
// line on stdout is READY.

const role = process.argv[2];
const cfg = JSON.parse(process.env.SDK_TEST_CONFIG);
const fd = Number(process.env.SDK_TEST_FD);
const http = require('http');

function logger(level) {
	return (...args) => process.stderr.write(`[${role} ${level}] ${args.join(' ')}\n`);
}

function ready(server) {
	server.listen({ fd }, () => process.stdout.write('READY\n'));
	process.on('SIGTERM', () => process.exit(0));
}

if (role === 'legacy') {
	// The untraced warehouse: GET /stock/SKU[?mode=down]
	ready(http.createServer((req, res) => {
		const u = new URL(req.url, 'http://localhost');
		const sku = u.pathname.split('/')[2] || '';
		let status = 200;
		if (!u.pathname.startsWith('/stock/') || sku.startsWith('X')) {
			status = 404;
		} else if (u.searchParams.get('mode') === 'down') {
			status = 503;
		}
		req.resume();
		req.on('end', () => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ sku, available: status === 200 }));
		});
	}));
	return;
}

const AWSXRay = require('aws-xray-sdk-core');
const xrayExpress = require('aws-xray-sdk-express');
AWSXRay.setLogger({ error: logger('error'), warn: logger('warn'), info() {}, debug() {} });
AWSXRay.setContextMissingStrategy('LOG_ERROR');
AWSXRay.middleware.disableCentralizedSampling();
AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 100000, rate: 1.0 } });
if (role === 'gateway') {
	AWSXRay.setStreamingThreshold(2);
}
AWSXRay.captureHTTPsGlobal(http);

const { DynamoDBClient, GetItemCommand, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const express = require('express');

const ddb = AWSXRay.captureAWSv3Client(new DynamoDBClient({
	endpoint: cfg.moto,
	region: 'us-east-1',
	maxAttempts: 1,
	credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
}));

// An http call through the patched module; resolves with status and body.
function call(host, port, method, path, body) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? null : JSON.stringify(body);
		const headers = data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {};
		const req = http.request({ hostname: host, port, method, path, headers, family: 4 }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (c) => { text += c; });
			res.on('end', () => resolve({ status: res.statusCode, body: text }));
		});
		req.on('error', reject);
		if (data) {
			req.write(data);
		}
		req.end();
	});
}

// Express 4 does not catch rejected promises of async handlers.
const handle = (fn) => (req, res, next) => fn(req, res).catch(next);

const app = express();
app.use(express.json());
app.use(xrayExpress.openSegment(role));

if (role === 'gateway') {
	const ledger = (method, path, body) => call('127.0.0.1', cfg.ledger, method, path, body);
	const legacy = (method, path) => call('localhost', cfg.legacy, method, path);

	async function session(user) {
		const seg = AWSXRay.getSegment();
		seg.addAnnotation('user_id', user);
		seg.setUser(user);
		const out = await ddb.send(new GetItemCommand({ TableName: 'sessions', Key: { user_id: { S: user } } }));
		const tier = out.Item ? out.Item.tier.S : 'guest';
		seg.addAnnotation('tier', tier);
		return tier;
	}

	app.get('/api/price/:sku', handle(async (req, res) => {
		const seg = AWSXRay.getSegment();
		const tenant = req.get('X-Tenant') || '';
		seg.addAnnotation('tenant', tenant);
		if (tenant === 'noisy') {
			seg.addMetadata('quota', { tenant, limit_per_min: 60 }, 'gateway');
			res.status(429).json({ error: `too many requests for tenant ${tenant}` });
			return;
		}
		const tier = await session(req.get('X-User') || 'anonymous');
		await AWSXRay.captureAsyncFunc('price_rules', async (sub) => {
			sub.addAnnotation('premium', tier === 'premium');
			sub.addMetadata('rules', { tier, discount: tier === 'premium' ? 0.1 : 0 }, 'gateway');
			sub.close();
		});
		const r = await ledger('GET', `/prices/${req.params.sku}`);
		if (r.status >= 500) {
			seg.addMetadata('ledger_response', { status: r.status, body: r.body.slice(0, 200) }, 'gateway');
			res.status(502).json({ error: 'ledger failed' });
			return;
		}
		res.status(r.status).type('json').send(r.body);
	}));

	app.get('/api/stock/:sku', handle(async (req, res) => {
		AWSXRay.getSegment().addAnnotation('sku', req.params.sku);
		const mode = req.query.mode ? `?mode=${encodeURIComponent(req.query.mode)}` : '';
		const r = await legacy('GET', `/stock/${req.params.sku}${mode}`);
		res.status(r.status).type('json').send(r.body);
	}));

	app.post('/api/checkout', handle(async (req, res) => {
		const seg = AWSXRay.getSegment();
		const { user, cart_id: cartId, lines } = req.body;
		await session(user);
		seg.addAnnotation('cart_id', cartId);
		seg.addAnnotation('cart_lines', lines.length);
		// All lines at once: even lines are reserved in the ledger, odd
		// lines checked at the legacy warehouse.
		const results = await AWSXRay.captureAsyncFunc('reserve_stock', async (sub) => {
			try {
				return await Promise.all(lines.map((sku, i) => (i % 2 === 0
					? ledger('POST', `/reserve/${sku}`, { cart_id: cartId })
					: legacy('GET', `/stock/${sku}`))));
			} finally {
				sub.close();
			}
		});
		const missing = lines.filter((sku, i) => results[i].status !== 200);
		if (missing.length) {
			seg.addMetadata('unavailable', missing, 'gateway');
			res.status(409).json({ error: 'unavailable', lines: missing });
			return;
		}
		try {
			await ddb.send(new PutItemCommand({
				TableName: 'carts',
				Item: { cart_id: { S: cartId }, user_id: { S: user }, lines: { N: String(lines.length) } },
				ConditionExpression: 'attribute_not_exists(cart_id)',
			}));
		} catch (e) {
			if (e.name !== 'ConditionalCheckFailedException') {
				throw e;
			}
			res.status(409).json({ error: `cart ${cartId} already ordered` });
			return;
		}
		res.status(201).json({ cart_id: cartId, lines: lines.length });
	}));

	app.get('/api/boom', () => {
		throw new TypeError('the boom route always fails');
	});
} else if (role === 'ledger') {
	app.get('/prices/:sku', handle(async (req, res) => {
		const { sku } = req.params;
		const seg = AWSXRay.getSegment();
		seg.addAnnotation('sku', sku);
		if (sku.startsWith('HOT-')) {
			seg.addMetadata('rate_limit', { sku, window_s: 10 }, 'ledger');
			res.status(429).json({ error: `price checks for ${sku} are rate limited` });
			return;
		}
		if (sku.startsWith('BAD-')) {
			throw new RangeError(`price record of ${sku} is corrupt`);
		}
		const out = await ddb.send(new GetItemCommand({ TableName: 'prices', Key: { sku: { S: sku } } }));
		if (!out.Item) {
			res.status(404).json({ error: 'no price', sku });
			return;
		}
		res.json({ sku, cents: Number(out.Item.cents.N) });
	}));

	app.post('/reserve/:sku', (req, res) => {
		const { sku } = req.params;
		AWSXRay.getSegment().addAnnotation('sku', sku);
		res.status(sku.startsWith('OUT-') ? 409 : 200).json({ sku, cart_id: req.body.cart_id });
	});
} else {
	throw new Error(`app.js: unknown role ${role}`);
}

app.use(xrayExpress.closeSegment());
ready(http.createServer(app));
