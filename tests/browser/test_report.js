// kensa's report.html in a real browser: Debian's chromium, headless, driven by
// playwright-core. For each report given (one per language) it checks that the
// page opens with no network request and no console error, that the answer, the
// timeline SVG (with the estimate's line) and the findings are there and say what
// summary.json says, and keeps a screenshot beside the report.
//
// usage: node test_report.js REPORT_DIR:LANG...   (exit 0 passed, 1 failed, 77 skipped)
'use strict';
const fs = require('fs');
const path = require('path');

let chromium;
try {
    ({ chromium } = require('playwright-core'));
} catch (e) {
    console.log('skipped: playwright-core is not installed (scripts/install-deps installs it)');
    process.exit(77);
}
const exe = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
if (!exe) {
    console.log('skipped: no chromium (scripts/install-deps installs Debian\'s)');
    process.exit(77);
}

let passed = 0, failed = 0;
function check(cond, what) {
    if (cond) passed++;
    else {
        failed++;
        console.log('FAIL: ' + what);
    }
}

async function one(browser, dir, lang) {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = [], requests = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto('file://' + path.resolve(dir, 'report.html'), { waitUntil: 'load' });

    check(await page.getAttribute('html', 'lang') === lang, `${lang}: <html lang=${lang}>`);
    const answer = await page.textContent('#answer');
    check(answer && answer.length > 20, `${lang}: the answer is there`);
    if (summary.first_intrusion) {
        // the answer gives the estimate in local time and in UTC, to the second
        const utc = summary.first_intrusion.slice(0, 19).replace('T', 'T');
        check(answer.includes(utc.slice(0, 19)), `${lang}: the answer says ${utc} UTC`);
        check(answer.includes(summary.src_ip), `${lang}: the answer names ${summary.src_ip}`);
        const word = lang === 'ja' ? '侵入されました' : 'Someone got in';
        check(answer.includes(word), `${lang}: the answer says "${word}"`);
        check(await page.$('#estimate-line') !== null, `${lang}: the estimate's line in the SVG`);
    }
    const svg = await page.$('#timeline-svg');
    check(svg !== null, `${lang}: the timeline SVG`);
    if (svg) {
        const box = await svg.boundingBox();
        check(box && box.width > 500 && box.height > 100, `${lang}: the timeline is drawn`);
        const dots = await page.$$('#timeline-svg circle');
        const steps = summary.chains.reduce((n, c) => n + c.steps.length, 0);
        check(dots.length >= steps, `${lang}: a dot per chain step (${dots.length} >= ${steps})`);
    }
    const findings = await page.$$('#findings .finding');
    check(findings.length === summary.findings,
          `${lang}: every finding shown (${findings.length} of ${summary.findings})`);
    const chains = await page.$$('#chains h3');
    check(chains.length === summary.chains.length, `${lang}: every chain shown`);
    check(await page.$('#coverage table') !== null, `${lang}: the coverage table`);
    check(await page.$('#logons-host table') !== null && await page.$('#logons-account table') !== null,
          `${lang}: logons per host and per account`);
    if (lang === 'ja') check(/[\u3040-\u30ff]/.test(answer), 'ja: the answer is in Japanese');
    check(errors.length === 0, `${lang}: no console errors: ${errors.join(' | ')}`);
    check(requests.length === 0, `${lang}: nothing loaded from outside: ${requests.join(' ')}`);
    await page.screenshot({ path: path.join(dir, `report-${lang}.png`), fullPage: true });
    check(fs.statSync(path.join(dir, `report-${lang}.png`)).size > 10000, `${lang}: screenshot kept`);
    await page.close();
}

(async () => {
    const args = process.argv.slice(2);
    if (!args.length) {
        console.log('usage: node test_report.js REPORT_DIR:LANG...');
        process.exit(2);
    }
    const browser = await chromium.launch({ executablePath: exe, headless: true,
                                            args: ['--no-sandbox'] });
    try {
        for (const a of args) {
            const i = a.lastIndexOf(':');
            await one(browser, a.slice(0, i), a.slice(i + 1));
        }
    } finally {
        await browser.close();
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
})().catch((e) => {
    console.log('FAIL: ' + (e && e.stack || e));
    process.exit(1);
});
