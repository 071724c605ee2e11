// A SCIM 2.0 server (RFC 7643/7644) for Provost's integration tests: scimmy's resource and
// protocol handling, scimmy-routers' HTTP endpoints, in-memory Users and Groups behind bearer
// tokens. Tests seed it through ordinary SCIM POST requests.
//
//   node server.js --port 0 --token T [--token T2] [--expired-token OLD]
//
// It listens on 127.0.0.1 only and prints one line, "listening http://127.0.0.1:<port>/scim/v2",
// once it accepts requests. Beside the SCIM endpoints under /scim/v2 there is one test-only
// endpoint, POST /_test/reset (same bearer token), which empties both stores.
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import {randomUUID} from "node:crypto";

function parseArgs(argv) {
    const opts = {port: 0, tokens: [], expired: []};
    for (let i = 0; i < argv.length; i++) {
        const value = argv[i + 1];
        switch (argv[i]) {
            case "--port": opts.port = Number.parseInt(value, 10); i++; break;
            case "--token": opts.tokens.push(value); i++; break;
            case "--expired-token": opts.expired.push(value); i++; break;
            default:
                console.error(`scim-server: unknown argument ${argv[i]}`);
                process.exit(2);
        }
    }
    if (!Number.isInteger(opts.port) || opts.port < 0) {
        console.error("scim-server: --port wants a number (0 picks a free port)");
        process.exit(2);
    }
    if (opts.tokens.length === 0) {
        console.error("scim-server: at least one --token is required");
        process.exit(2);
    }
    return opts;
}

const opts = parseArgs(process.argv.slice(2));

// The stores: id -> stored resource (plain objects in SCIM shape, with meta.created and
// meta.lastModified). Map iteration order is insertion order, so lists are stable.
const users = new Map();
const groups = new Map();

// matches applies a SCIM filter to one item at a time: scimmy's matcher throws on a complex
// filter such as emails[type eq "work"] when an item lacks the attribute, and such an item
// simply does not match.
function matches(filter, item) {
    if (!filter) return true;
    try {
        return filter.match([item]).length > 0;
    } catch {
        return false;
    }
}

function stamp(record, existing) {
    const now = new Date().toISOString();
    record.meta = {created: existing?.meta?.created ?? now, lastModified: now};
    return record;
}

// groupsOf computes a user's read-only "groups" attribute from the group memberships.
function groupsOf(userId) {
    const out = [];
    for (const g of groups.values()) {
        if ((g.members ?? []).some(m => m.value === userId)) {
            out.push({value: g.id, display: g.displayName, type: "direct"});
        }
    }
    return out;
}

function withGroups(user) {
    const gs = groupsOf(user.id);
    return gs.length ? {...user, groups: gs} : {...user};
}

function plain(instance) {
    // Schema instances carry getters and symbols; a JSON round trip keeps exactly the
    // attributes that would go on the wire.
    return JSON.parse(JSON.stringify(instance));
}

SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
    .ingress((resource, instance) => {
        const record = plain(instance);
        delete record.groups;
        const taken = [...users.values()].find(u =>
            u.userName.toLowerCase() === String(record.userName).toLowerCase() && u.id !== resource.id);
        if (taken) throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${record.userName} is already taken`);
        if (resource.id) {
            const existing = users.get(resource.id);
            if (!existing) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            record.id = resource.id;
            users.set(record.id, stamp(record, existing));
        } else {
            record.id = randomUUID();
            users.set(record.id, stamp(record));
        }
        return withGroups(users.get(record.id));
    })
    .egress((resource) => {
        if (resource.id) {
            const u = users.get(resource.id);
            if (!u) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            return withGroups(u);
        }
        return [...users.values()].map(withGroups).filter(u => matches(resource.filter, u));
    })
    .degress((resource) => {
        if (!users.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        for (const g of groups.values()) g.members = (g.members ?? []).filter(m => m.value !== resource.id);
    });

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance) => {
        const record = plain(instance);
        for (const m of record.members ?? []) {
            if (!users.has(m.value) && !groups.has(m.value)) {
                throw new SCIMMY.Types.Error(400, "invalidValue", `member ${m.value} does not exist`);
            }
        }
        if (resource.id) {
            const existing = groups.get(resource.id);
            if (!existing) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            record.id = resource.id;
            groups.set(record.id, stamp(record, existing));
        } else {
            record.id = randomUUID();
            groups.set(record.id, stamp(record));
        }
        return groups.get(record.id);
    })
    .egress((resource) => {
        if (resource.id) {
            const g = groups.get(resource.id);
            if (!g) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            return g;
        }
        return [...groups.values()].filter(g => matches(resource.filter, g));
    })
    .degress((resource) => {
        if (!groups.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
    });

function authenticate(req) {
    const header = req.header("Authorization") ?? "";
    if (!header.startsWith("Bearer ")) throw new Error("Authorization header with a bearer token is required");
    const token = header.slice("Bearer ".length).trim();
    if (opts.expired.includes(token)) throw new Error("The bearer token has expired");
    if (!opts.tokens.includes(token)) throw new Error("The bearer token is not valid");
    return "provost-tests";
}

const app = express();
app.post("/_test/reset", (req, res) => {
    try {
        authenticate(req);
    } catch (ex) {
        res.status(401).json({error: ex.message});
        return;
    }
    users.clear();
    groups.clear();
    res.status(204).end();
});
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    docUri: "https://datatracker.ietf.org/doc/html/rfc6750",
    handler: authenticate,
}));

const server = app.listen(opts.port, "127.0.0.1", () => {
    const {port} = server.address();
    console.log(`listening http://127.0.0.1:${port}/scim/v2`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => server.close(() => process.exit(0)));
}
