import type { ReactNode } from 'react';

/** Inline loading spinner with an optional label. */
export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status" data-testid="spinner">
      <span className="spinner" aria-hidden="true" />
      {label && <span className="spinner-label">{label}</span>}
    </span>
  );
}

/** Centered placeholder for empty or loading areas. */
export function Placeholder({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="placeholder" data-testid={testId}>
      {children}
    </div>
  );
}
