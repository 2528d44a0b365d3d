export function ComingSoonPage({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p className="placeholder">{title}: coming soon.</p>
    </>
  );
}
