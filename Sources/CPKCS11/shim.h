// Only TUFCrypto imports this module. The few PKCS#11 (v2.40, as 3.0 keeps them) types,
// constants and the function list layout that the signer and key generation use, written
// here so the build needs no vendor header: a module is loaded at run time with dlopen and
// C_GetFunctionList, never linked. Types follow the Unix ABI: CK_ULONG is unsigned long and
// structures have the platform's natural alignment (the standard's "#pragma pack" is Windows-only).
#ifndef TUF_CPKCS11_SHIM_H
#define TUF_CPKCS11_SHIM_H

typedef unsigned char CK_BYTE;
typedef unsigned char CK_BBOOL;
typedef unsigned long CK_ULONG;
typedef CK_ULONG CK_RV;
typedef CK_ULONG CK_FLAGS;
typedef CK_ULONG CK_SLOT_ID;
typedef CK_ULONG CK_SESSION_HANDLE;
typedef CK_ULONG CK_OBJECT_HANDLE;
typedef CK_ULONG CK_USER_TYPE;
typedef CK_ULONG CK_ATTRIBUTE_TYPE;
typedef CK_ULONG CK_MECHANISM_TYPE;
typedef CK_ULONG CK_OBJECT_CLASS;
typedef CK_ULONG CK_KEY_TYPE;

typedef struct { CK_BYTE major; CK_BYTE minor; } CK_VERSION;

typedef struct {
    CK_BYTE label[32];
    CK_BYTE manufacturerID[32];
    CK_BYTE model[16];
    CK_BYTE serialNumber[16];
    CK_FLAGS flags;
    CK_ULONG ulMaxSessionCount, ulSessionCount, ulMaxRwSessionCount, ulRwSessionCount;
    CK_ULONG ulMaxPinLen, ulMinPinLen;
    CK_ULONG ulTotalPublicMemory, ulFreePublicMemory, ulTotalPrivateMemory, ulFreePrivateMemory;
    CK_VERSION hardwareVersion, firmwareVersion;
    CK_BYTE utcTime[16];
} CK_TOKEN_INFO;

typedef struct {
    CK_ATTRIBUTE_TYPE type;
    void *pValue;
    CK_ULONG ulValueLen;
} CK_ATTRIBUTE;

typedef struct {
    CK_MECHANISM_TYPE mechanism;
    void *pParameter;
    CK_ULONG ulParameterLen;
} CK_MECHANISM;

typedef struct {
    void *CreateMutex, *DestroyMutex, *LockMutex, *UnlockMutex;
    CK_FLAGS flags;
    void *pReserved;
} CK_C_INITIALIZE_ARGS;

typedef CK_RV (*CK_NOTIFY)(CK_SESSION_HANDLE, CK_ULONG, void *);

// A slot of the function list this project never calls: only its size matters.
typedef void (*CK_UNUSED_FN)(void);

// The function list, in the standard's order: every entry must be present for the offsets.
typedef struct CK_FUNCTION_LIST {
    CK_VERSION version;
    CK_RV (*C_Initialize)(void *pInitArgs);
    CK_RV (*C_Finalize)(void *pReserved);
    CK_UNUSED_FN C_GetInfo;
    CK_UNUSED_FN C_GetFunctionList;
    CK_RV (*C_GetSlotList)(CK_BBOOL tokenPresent, CK_SLOT_ID *pSlotList, CK_ULONG *pulCount);
    CK_UNUSED_FN C_GetSlotInfo;
    CK_RV (*C_GetTokenInfo)(CK_SLOT_ID slotID, CK_TOKEN_INFO *pInfo);
    CK_UNUSED_FN C_GetMechanismList;
    CK_UNUSED_FN C_GetMechanismInfo;
    CK_UNUSED_FN C_InitToken;
    CK_UNUSED_FN C_InitPIN;
    CK_UNUSED_FN C_SetPIN;
    CK_RV (*C_OpenSession)(CK_SLOT_ID slotID, CK_FLAGS flags, void *pApplication, CK_NOTIFY Notify, CK_SESSION_HANDLE *phSession);
    CK_RV (*C_CloseSession)(CK_SESSION_HANDLE hSession);
    CK_UNUSED_FN C_CloseAllSessions;
    CK_UNUSED_FN C_GetSessionInfo;
    CK_UNUSED_FN C_GetOperationState;
    CK_UNUSED_FN C_SetOperationState;
    CK_RV (*C_Login)(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_BYTE *pPin, CK_ULONG ulPinLen);
    CK_RV (*C_Logout)(CK_SESSION_HANDLE hSession);
    CK_UNUSED_FN C_CreateObject;
    CK_UNUSED_FN C_CopyObject;
    CK_UNUSED_FN C_DestroyObject;
    CK_UNUSED_FN C_GetObjectSize;
    CK_RV (*C_GetAttributeValue)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount);
    CK_UNUSED_FN C_SetAttributeValue;
    CK_RV (*C_FindObjectsInit)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount);
    CK_RV (*C_FindObjects)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE *phObject, CK_ULONG ulMaxObjectCount, CK_ULONG *pulObjectCount);
    CK_RV (*C_FindObjectsFinal)(CK_SESSION_HANDLE hSession);
    CK_UNUSED_FN C_EncryptInit, C_Encrypt, C_EncryptUpdate, C_EncryptFinal;
    CK_UNUSED_FN C_DecryptInit, C_Decrypt, C_DecryptUpdate, C_DecryptFinal;
    CK_UNUSED_FN C_DigestInit, C_Digest, C_DigestUpdate, C_DigestKey, C_DigestFinal;
    CK_RV (*C_SignInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM *pMechanism, CK_OBJECT_HANDLE hKey);
    CK_RV (*C_Sign)(CK_SESSION_HANDLE hSession, CK_BYTE *pData, CK_ULONG ulDataLen, CK_BYTE *pSignature, CK_ULONG *pulSignatureLen);
    CK_UNUSED_FN C_SignUpdate, C_SignFinal, C_SignRecoverInit, C_SignRecover;
    CK_UNUSED_FN C_VerifyInit, C_Verify, C_VerifyUpdate, C_VerifyFinal, C_VerifyRecoverInit, C_VerifyRecover;
    CK_UNUSED_FN C_DigestEncryptUpdate, C_DecryptDigestUpdate, C_SignEncryptUpdate, C_DecryptVerifyUpdate;
    CK_UNUSED_FN C_GenerateKey;
    CK_RV (*C_GenerateKeyPair)(CK_SESSION_HANDLE hSession, CK_MECHANISM *pMechanism,
                               CK_ATTRIBUTE *pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                               CK_ATTRIBUTE *pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                               CK_OBJECT_HANDLE *phPublicKey, CK_OBJECT_HANDLE *phPrivateKey);
    CK_UNUSED_FN C_WrapKey, C_UnwrapKey, C_DeriveKey, C_SeedRandom, C_GenerateRandom;
    CK_UNUSED_FN C_GetFunctionStatus, C_CancelFunction, C_WaitForSlotEvent;
} CK_FUNCTION_LIST;

typedef CK_RV (*CK_C_GetFunctionList)(CK_FUNCTION_LIST **ppFunctionList);

// Return values.
#define CKR_OK                            0x000UL
#define CKR_ARGUMENTS_BAD                 0x007UL
#define CKR_ATTRIBUTE_TYPE_INVALID        0x012UL
#define CKR_DEVICE_REMOVED                0x032UL
#define CKR_KEY_TYPE_INCONSISTENT         0x063UL
#define CKR_MECHANISM_INVALID             0x070UL
#define CKR_MECHANISM_PARAM_INVALID       0x071UL
#define CKR_PIN_INCORRECT                 0x0A0UL
#define CKR_PIN_INVALID                   0x0A1UL
#define CKR_PIN_LEN_RANGE                 0x0A2UL
#define CKR_PIN_EXPIRED                   0x0A3UL
#define CKR_PIN_LOCKED                    0x0A4UL
#define CKR_TEMPLATE_INCONSISTENT         0x0D1UL
#define CKR_TOKEN_NOT_PRESENT             0x0E0UL
#define CKR_USER_ALREADY_LOGGED_IN        0x100UL
#define CKR_USER_PIN_NOT_INITIALIZED      0x102UL
#define CKR_BUFFER_TOO_SMALL              0x150UL
#define CKR_CRYPTOKI_ALREADY_INITIALIZED  0x191UL
#define CKR_CURVE_NOT_SUPPORTED           0x140UL

// Flags.
#define CKF_OS_LOCKING_OK         0x002UL
#define CKF_RW_SESSION            0x002UL
#define CKF_SERIAL_SESSION        0x004UL
#define CKF_LOGIN_REQUIRED        0x004UL
#define CKF_TOKEN_INITIALIZED     0x400UL

#define CKU_USER 1UL

// Object classes and key types.
#define CKO_PUBLIC_KEY   2UL
#define CKO_PRIVATE_KEY  3UL
#define CKK_EC           0x03UL
#define CKK_EC_EDWARDS   0x40UL

// Attributes.
#define CKA_CLASS        0x000UL
#define CKA_TOKEN        0x001UL
#define CKA_PRIVATE      0x002UL
#define CKA_LABEL        0x003UL
#define CKA_KEY_TYPE     0x100UL
#define CKA_ID           0x102UL
#define CKA_SENSITIVE    0x103UL
#define CKA_SIGN         0x108UL
#define CKA_VERIFY       0x10AUL
#define CKA_EXTRACTABLE  0x162UL
#define CKA_EC_PARAMS    0x180UL
#define CKA_EC_POINT     0x181UL

// Mechanisms.
#define CKM_EC_KEY_PAIR_GEN          0x1040UL
#define CKM_ECDSA                    0x1041UL
#define CKM_EC_EDWARDS_KEY_PAIR_GEN  0x1055UL
#define CKM_EDDSA                    0x1057UL

#endif
