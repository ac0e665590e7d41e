// Reads D-Bus introspection XML (the contract file, or what a live service answers) into comparable
// tables: per interface, each method's in/out signatures, each signal's, each property's type and access.
export interface InterfaceShape {
  methods: Record<string, { in: string; out: string }>;
  signals: Record<string, string>;
  properties: Record<string, { type: string; access: string }>;
}

function attributes(tag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of tag.matchAll(/([A-Za-z_:-]+)\s*=\s*"([^"]*)"/g)) result[match[1] ?? ''] = match[2] ?? '';
  return result;
}

/** Element bodies: `<name .../>` has none, `<name ...>body</name>` has body (no nesting of the same name here). */
function elements(xml: string, name: string): Array<{ attrs: Record<string, string>; body: string }> {
  const found: Array<{ attrs: Record<string, string>; body: string }> = [];
  const pattern = new RegExp(`<${name}\\b([^>]*?)(/>|>([\\s\\S]*?)</${name}>)`, 'g');
  for (const match of xml.matchAll(pattern)) found.push({ attrs: attributes(match[1] ?? ''), body: match[3] ?? '' });
  return found;
}

export function parseIntrospection(xml: string): Map<string, InterfaceShape> {
  const clean = xml.replace(/<!--[\s\S]*?-->/g, '');
  const shapes = new Map<string, InterfaceShape>();
  for (const iface of elements(clean, 'interface')) {
    const shape: InterfaceShape = { methods: {}, signals: {}, properties: {} };
    for (const method of elements(iface.body, 'method')) {
      const args = elements(method.body, 'arg').map((arg) => arg.attrs);
      shape.methods[method.attrs.name ?? ''] = {
        in: args
          .filter((a) => (a.direction ?? 'in') === 'in')
          .map((a) => a.type)
          .join(''),
        out: args
          .filter((a) => a.direction === 'out')
          .map((a) => a.type)
          .join(''),
      };
    }
    for (const signal of elements(iface.body, 'signal'))
      shape.signals[signal.attrs.name ?? ''] = elements(signal.body, 'arg')
        .map((a) => a.attrs.type)
        .join('');
    for (const property of elements(iface.body, 'property')) shape.properties[property.attrs.name ?? ''] = { type: property.attrs.type ?? '', access: property.attrs.access ?? '' };
    shapes.set(iface.attrs.name ?? '', shape);
  }
  return shapes;
}

/** The shape of a dbus-next configureMembers table. */
export function shapeOfMembers(members: {
  methods?: Record<string, { inSignature?: string; outSignature?: string }>;
  signals?: Record<string, { signature: string }>;
  properties?: Record<string, { signature: string; access?: string }>;
}): InterfaceShape {
  const shape: InterfaceShape = { methods: {}, signals: {}, properties: {} };
  for (const [name, m] of Object.entries(members.methods ?? {})) shape.methods[name] = { in: m.inSignature ?? '', out: m.outSignature ?? '' };
  for (const [name, s] of Object.entries(members.signals ?? {})) shape.signals[name] = s.signature;
  for (const [name, p] of Object.entries(members.properties ?? {})) shape.properties[name] = { type: p.signature, access: p.access ?? 'readwrite' };
  return shape;
}
