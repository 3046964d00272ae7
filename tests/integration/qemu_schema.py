"""Questions about a live QEMU's query-qmp-schema (its return value, a list of
SchemaInfo). Introspection hides type names, so a question is a path that starts
at a command or event and walks its arguments' members (through arrays,
alternates and every union variant), perhaps ending at an enum value:
  migrate.channels                         MigrationChannel (8.2)
  netdev_add.addr.keep-alive-count         InetSocketAddress member (10.1)
  migrate-set-capabilities.capabilities.capability.return-path

  python3 qemu_schema.py SCHEMA.json PATH   exits 0 if PATH exists, else 1
"""
import json
import sys


class Schema:
    def __init__(self, entities):
        self.by_name = {e["name"]: e for e in entities}

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls(json.load(f))

    def _expand(self, names):
        seen, todo = set(), list(names)
        while todo:
            n = todo.pop()
            if n in seen or n not in self.by_name:
                continue
            seen.add(n)
            t = self.by_name[n]
            if t["meta-type"] == "array":
                todo.append(t["element-type"])
            elif t["meta-type"] == "alternate":
                todo += [m["type"] for m in t["members"]]
            elif t["meta-type"] == "object":
                todo += [v["type"] for v in t.get("variants", [])]
        return seen

    def resolve(self, path):
        """The set of type names PATH reaches (empty: it does not exist)."""
        first, *rest = path.split(".")
        e = self.by_name.get(first)
        if e is None:
            return set()
        current = {e["arg-type"] if e["meta-type"] in ("command", "event") else first}
        if e["meta-type"] == "command" and not rest:
            return {first}
        for seg in rest:
            found = set()
            for n in self._expand(current):
                t = self.by_name[n]
                if t["meta-type"] == "object":
                    found |= {m["type"] for m in t["members"] if m["name"] == seg}
                elif t["meta-type"] == "enum" and seg in t.get("values", []):
                    found.add("(value)")
            if not found:
                return set()
            current = found
        return current

    def has(self, path):
        return bool(self.resolve(path))

    def enum_values(self, path):
        """The values of the enum PATH ends at (one list), [] if none."""
        for n in self._expand(self.resolve(path)):
            if self.by_name[n]["meta-type"] == "enum":
                return list(self.by_name[n]["values"])
        return []

    def members(self, path_or_ret):
        """Member names of the object PATH ends at; 'query-x()' means query-x's return type."""
        if path_or_ret.endswith("()"):
            names = {self.by_name[path_or_ret[:-2]]["ret-type"]}
        else:
            names = self.resolve(path_or_ret)
        for n in self._expand(names):
            t = self.by_name[n]
            if t["meta-type"] == "object":
                return [m["name"] for m in t["members"]]
        return []


if __name__ == "__main__":
    sys.exit(0 if Schema.load(sys.argv[1]).has(sys.argv[2]) else 1)
