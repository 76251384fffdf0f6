/**
 * Reading the JSON that `python manage.py dumpdata auth.user authtoken.token <app>.token` writes: users,
 * DRF's stock one-per-user tokens and the multi-device token table (any `<app>.token` model whose rows
 * carry a `user` and a `created`). Pure: no I/O.
 */

export interface DjangoUser {
  pk: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  dateJoinedMs: number;
  lastLoginMs: number | null;
}

export interface DjangoToken {
  key: string;
  userPk: number;
  createdMs: number;
  /** The model it came from, e.g. `authtoken.token` or `devices.token`. */
  model: string;
}

export interface DjangoDump {
  users: DjangoUser[];
  tokens: DjangoToken[];
  /** Records that could not be read, with why. */
  problems: string[];
  /** Models present in the dump that are not imported, with their record counts. */
  ignored: Record<string, number>;
}

interface Entry {
  model?: unknown;
  pk?: unknown;
  fields?: Record<string, unknown>;
}

const str = (value: unknown) => (typeof value === "string" ? value : "");
const time = (value: unknown): number | null => {
  if (typeof value !== "string" || value === "") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
};

export function parseDjangoDump(json: unknown): DjangoDump {
  const dump: DjangoDump = { users: [], tokens: [], problems: [], ignored: {} };
  if (!Array.isArray(json)) {
    dump.problems.push("the file is not a dumpdata list of records");
    return dump;
  }
  for (const [index, raw] of (json as Entry[]).entries()) {
    const model = str(raw?.model).toLowerCase();
    const fields = raw?.fields ?? {};
    if (model === "auth.user") {
      const joined = time(fields.date_joined);
      if (
        typeof raw.pk !== "number" ||
        !Number.isSafeInteger(raw.pk) ||
        str(fields.username) === "" ||
        joined === null
      ) {
        dump.problems.push(`record ${index} (auth.user): missing pk, username or date_joined`);
        continue;
      }
      dump.users.push({
        pk: raw.pk,
        username: str(fields.username),
        email: str(fields.email),
        firstName: str(fields.first_name),
        lastName: str(fields.last_name),
        passwordHash: str(fields.password) || "!",
        isActive: fields.is_active !== false,
        isStaff: fields.is_staff === true,
        isSuperuser: fields.is_superuser === true,
        dateJoinedMs: joined,
        lastLoginMs: time(fields.last_login),
      });
    } else if (model.endsWith(".token") && "user" in fields && "created" in fields) {
      // DRF's authtoken uses the key as primary key; a custom table may keep it in a `key` field.
      const key = typeof raw.pk === "string" ? raw.pk : str(fields.key);
      const created = time(fields.created);
      if (key === "" || typeof fields.user !== "number" || created === null) {
        dump.problems.push(`record ${index} (${model}): missing key, user or created`);
        continue;
      }
      dump.tokens.push({ key, userPk: fields.user, createdMs: created, model });
    } else {
      dump.ignored[model || "(no model)"] = (dump.ignored[model || "(no model)"] ?? 0) + 1;
    }
  }
  return dump;
}
