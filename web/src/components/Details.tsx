// A detail page's facts as a definition list, and its breadcrumb back to the list.
import { Anchor, Breadcrumbs } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export function Facts({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Crumbs({ trail }: { trail: [label: string, to: string][] }) {
  return (
    <Breadcrumbs className="crumbs" separatorMargin={6}>
      {trail.map(([label, to]) => (
        <Anchor key={to} component={Link} to={to} size="sm">
          {label}
        </Anchor>
      ))}
    </Breadcrumbs>
  );
}
