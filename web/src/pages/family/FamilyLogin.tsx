// A family signs in with a code sent to its own e-mail address or phone: the link in the message
// signs in at once (one tap); otherwise it types its address, gets a code and types (or pastes, or
// lets the phone fill in) the 6 digits. Errors say in plain words what to do next.
import { Alert, Button, ErrorMessage, Field, Heading, Label, Paragraph, TextInput } from "@amsterdam/design-system-react";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../../api";
import { channelOf, familyApi, type Channel, type FamilyUser } from "../../familyApi";
import { useFamilyI18n, type FamilyKey } from "../../familyI18n";
import { navigate } from "../../router";

type Step = { name: "link" } | { name: "address" } | { name: "code"; channel: Channel };
type Problem = { where: "link" | "address" | "code"; key: FamilyKey } | null;

// The link's code works once. React may run an effect twice (development's StrictMode), so each
// code is sent once and every run waits for that one answer.
const linkVerifications = new Map<string, Promise<FamilyUser>>();

/** The server's refusal in the family's words: a wrong or used code, too many tries, or a fault. */
function problemKey(err: unknown, refused: FamilyKey, invalidInput: FamilyKey): FamilyKey {
  if (!(err instanceof ApiError)) return "app.error";
  if (err.status === 401) return refused;
  if (err.status === 429) return "error.tooMany";
  if (err.status === 400) return invalidInput;
  return "app.error";
}

export function FamilyLogin({ code, notice, onSignedIn }: { code: string | null; notice: FamilyKey | null; onSignedIn: (family: FamilyUser) => void }) {
  const { t } = useFamilyI18n();
  const [step, setStep] = useState<Step>(code ? { name: "link" } : { name: "address" });
  const [address, setAddress] = useState("");
  const [typed, setTyped] = useState("");
  const [problem, setProblem] = useState<Problem>(null);
  const [busy, setBusy] = useState(false);
  const ids = { address: useId(), addressHint: useId(), addressError: useId(), code: useId(), codeHint: useId(), codeError: useId() };
  const addressInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = `${t(step.name === "code" ? "login.codeTitle" : "login.title")} – Eldersthuis`;
  }, [step.name, t]);

  // One tap from the message: the link's code signs in without anything to type.
  useEffect(() => {
    if (!code) return;
    let live = true;
    let verifying = linkVerifications.get(code);
    if (!verifying) {
      verifying = familyApi.verify(code).then((r) => r.family);
      linkVerifications.set(code, verifying);
    }
    verifying.then(
      (family) => live && onSignedIn(family),
      (err: unknown) => {
        if (!live) return;
        // A used or expired code has no business staying in the address bar or the history.
        navigate("/login/family", true);
        setStep({ name: "address" });
        setProblem({ where: "link", key: problemKey(err, "error.link", "error.link") });
      },
    );
    return () => {
      live = false;
    };
  }, [code, onSignedIn]);

  // The field to act on gets the focus: the code field once a code is on its way, a field with an error.
  useEffect(() => {
    if (step.name === "code") codeInput.current?.focus();
  }, [step.name]);
  useEffect(() => {
    if (problem?.where === "address") addressInput.current?.focus();
    if (problem?.where === "code") codeInput.current?.focus();
  }, [problem]);

  // Phones that support WebOTP offer the code from the SMS (it ends with "@<host> #<code>").
  useEffect(() => {
    if (step.name !== "code" || !("phone" in step.channel) || !("OTPCredential" in window)) return;
    const abort = new AbortController();
    const get = navigator.credentials.get.bind(navigator.credentials) as (o: unknown) => Promise<unknown>;
    get({ otp: { transport: ["sms"] }, signal: abort.signal }).then(
      (cred) => {
        const otp = (cred as { code?: unknown } | null)?.code;
        if (typeof otp === "string") setTyped(otp);
      },
      () => undefined,
    );
    return () => abort.abort();
  }, [step]);

  const sendCode = async (e: FormEvent) => {
    e.preventDefault();
    if (address.trim() === "") {
      setProblem({ where: "address", key: "error.address" });
      return;
    }
    const channel = channelOf(address);
    setBusy(true);
    setProblem(null);
    try {
      await familyApi.requestCode(channel);
      setTyped("");
      setStep({ name: "code", channel });
    } catch (err) {
      setProblem({ where: "address", key: problemKey(err, "app.error", "error.address") });
    } finally {
      setBusy(false);
    }
  };

  const signIn = async (e: FormEvent) => {
    e.preventDefault();
    if (step.name !== "code") return;
    // Pasted codes come with spaces or a dash ("123 456"); the server accepts them, so check only the digits.
    if (!/^\d{6}$/.test(typed.replace(/[\s-]/g, ""))) {
      setProblem({ where: "code", key: "error.codeFormat" });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const r = await familyApi.verify(typed, step.channel);
      onSignedIn(r.family);
    } catch (err) {
      setProblem({ where: "code", key: problemKey(err, "error.code", "error.codeFormat") });
    } finally {
      setBusy(false);
    }
  };

  if (step.name === "link") {
    return (
      <div className="eh-stack eh-narrow">
        <Heading level={1}>{t("login.title")}</Heading>
        <Paragraph role="status">{t("login.checking")}</Paragraph>
      </div>
    );
  }

  const fieldError = (where: "address" | "code", id: string) =>
    problem?.where === where && (
      <ErrorMessage id={id} prefix={t("error.prefix")}>
        {t(problem.key)}
      </ErrorMessage>
    );

  if (step.name === "address") {
    const invalid = problem?.where === "address";
    return (
      <form className="eh-stack eh-narrow" noValidate onSubmit={(e) => void sendCode(e)}>
        <Heading level={1}>{t("login.title")}</Heading>
        <Paragraph>{t("login.intro")}</Paragraph>
        {notice && !problem && <Paragraph role="status">{t(notice)}</Paragraph>}
        {problem?.where === "link" && (
          <Alert heading={t("app.errorTitle")} headingLevel={2} severity="error" id="login-problem">
            <Paragraph>{t(problem.key)}</Paragraph>
          </Alert>
        )}
        <Field invalid={invalid}>
          <Label htmlFor={ids.address}>{t("login.address")}</Label>
          <Paragraph id={ids.addressHint} size="small">
            {t("login.addressHint")}
          </Paragraph>
          {fieldError("address", ids.addressError)}
          <TextInput
            ref={addressInput}
            id={ids.address}
            name="address"
            type="text"
            autoComplete="email"
            autoCapitalize="none"
            spellCheck={false}
            required
            invalid={invalid}
            aria-describedby={invalid ? `${ids.addressError} ${ids.addressHint}` : ids.addressHint}
            value={address}
            onChange={(e) => setAddress(e.target.value)}
          />
        </Field>
        <Button type="submit" disabled={busy}>
          {t(busy ? "login.sending" : "login.send")}
        </Button>
      </form>
    );
  }

  const invalid = problem?.where === "code";
  return (
    <form className="eh-stack eh-narrow" noValidate onSubmit={(e) => void signIn(e)}>
      <Heading level={1}>{t("login.codeTitle")}</Heading>
      <Paragraph role="status">
        <bdi dir="ltr">{address.trim()}</bdi>
        <br />
        {t("login.sent")}
      </Paragraph>
      <Field invalid={invalid}>
        <Label htmlFor={ids.code}>{t("login.code")}</Label>
        <Paragraph id={ids.codeHint} size="small">
          {t("login.codeHint")}
        </Paragraph>
        {fieldError("code", ids.codeError)}
        <TextInput
          ref={codeInput}
          id={ids.code}
          className="eh-code"
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          dir="ltr"
          required
          invalid={invalid}
          aria-describedby={invalid ? `${ids.codeError} ${ids.codeHint}` : ids.codeHint}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
      </Field>
      <Button type="submit" disabled={busy}>
        {t("login.submit")}
      </Button>
      <Paragraph>{t("login.noMessage")}</Paragraph>
      <Button
        type="button"
        variant="secondary"
        onClick={() => {
          setProblem(null);
          setTyped("");
          setStep({ name: "address" });
        }}
      >
        {t("login.again")}
      </Button>
    </form>
  );
}
