// Staff sign-in: e-mail and password, then the 6-digit code from an authenticator app (or, the
// first time, setting the app up). The code field allows paste and the browser's one-time-code fill.
import { Alert, Button, ErrorMessage, Field, Heading, Label, Paragraph, PasswordInput, TextInput } from "@amsterdam/design-system-react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { api, ApiError, type StaffUser } from "../api";
import { useI18n } from "../i18n";

export type PendingStep = "totp" | "enrol";
type Step = { name: "password" } | { name: "totp" } | { name: "enrol"; secret: string | null; uri: string | null };

export function SignIn({ pending, onSignedIn }: { pending: PendingStep | null; onSignedIn: (u: StaffUser) => void }) {
  const { t } = useI18n();
  const [step, setStep] = useState<Step>(pending === "totp" ? { name: "totp" } : pending === "enrol" ? { name: "enrol", secret: null, uri: null } : { name: "password" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const ids = { email: useId(), password: useId(), code: useId(), codeError: useId() };

  useEffect(() => {
    document.title = `${t(step.name === "password" ? "signin.title" : step.name === "totp" ? "signin.totpTitle" : "signin.enrolTitle")} – Eldersthuis`;
  }, [step.name, t]);

  // Enrolment: ask the server for a fresh secret once this step shows.
  useEffect(() => {
    if (step.name !== "enrol" || step.secret) return;
    api.post<{ secret: string; otpauthUri: string }>("/api/auth/totp/setup").then(
      (r) => setStep({ name: "enrol", secret: r.secret, uri: r.otpauthUri }),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [step]);

  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.post<{ secondFactor: "none" | "totp" | "enrol"; user?: StaffUser }>("/api/auth/login", { email, password });
      setPassword("");
      if (r.secondFactor === "none" && r.user) onSignedIn(r.user);
      else if (r.secondFactor === "totp") setStep({ name: "totp" });
      else setStep({ name: "enrol", secret: null, uri: null });
    });
  };

  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.post<{ user: StaffUser }>(step.name === "enrol" ? "/api/auth/totp/enable" : "/api/auth/totp", { code });
      onSignedIn(r.user);
    });
  };

  const errorAlert = error && (
    <Alert heading={t("signin.failed")} headingLevel={2} severity="error">
      <Paragraph>{error}</Paragraph>
    </Alert>
  );

  if (step.name === "password") {
    return (
      <form className="eh-stack eh-narrow" onSubmit={submitPassword}>
        <Heading level={1}>{t("signin.title")}</Heading>
        <Paragraph>{t("signin.intro")}</Paragraph>
        {errorAlert}
        <Field>
          <Label htmlFor={ids.email}>{t("signin.email")}</Label>
          <TextInput id={ids.email} name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field>
          <Label htmlFor={ids.password}>{t("signin.password")}</Label>
          <PasswordInput id={ids.password} name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Button type="submit" disabled={busy}>
          {t("signin.submit")}
        </Button>
      </form>
    );
  }

  const codeField = (
    <Field invalid={Boolean(error)}>
      <Label htmlFor={ids.code}>{t("signin.totp")}</Label>
      {error && <ErrorMessage id={ids.codeError} prefix={t("error.prefix")}>{error}</ErrorMessage>}
      <TextInput
        id={ids.code}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]{6,7}"
        maxLength={7}
        required
        invalid={Boolean(error)}
        aria-describedby={error ? ids.codeError : undefined}
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
    </Field>
  );

  return (
    <form className="eh-stack eh-narrow" onSubmit={submitCode}>
      <Heading level={1}>{t(step.name === "totp" ? "signin.totpTitle" : "signin.enrolTitle")}</Heading>
      <Paragraph>{t(step.name === "totp" ? "signin.totpIntro" : "signin.enrolIntro")}</Paragraph>
      {step.name === "enrol" && step.secret && (
        <div className="eh-stack">
          <Paragraph>
            {t("signin.enrolKey")}: <span className="eh-key">{step.secret.replace(/(.{4})/g, "$1 ").trim()}</span>
          </Paragraph>
          {step.uri && (
            <Paragraph>
              <a href={step.uri}>{t("signin.enrolLink")}</a>
            </Paragraph>
          )}
        </div>
      )}
      {codeField}
      <div className="eh-toolbar">
        <Button type="submit" disabled={busy}>
          {t(step.name === "totp" ? "signin.totpSubmit" : "signin.enrolSubmit")}
        </Button>
        <Button
          type="button"
          variant="tertiary"
          onClick={() => {
            void api.post("/api/auth/logout").catch(() => undefined);
            setError(null);
            setCode("");
            setStep({ name: "password" });
          }}
        >
          {t("signin.restart")}
        </Button>
      </div>
    </form>
  );
}
